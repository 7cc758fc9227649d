#!/usr/bin/env bash
# queuefix's test suite: go vet and go test in every Go module of this
# repository (the tool and the nested example and plugin modules), then the
# engine again under the race detector. Arguments go to every go test.
set -euo pipefail
cd "$(dirname "$0")"
modules=$(find . -name go.mod -not -path '*/testdata/*' -not -path './.git/*' | sort)
for mod in $modules; do
	dir=$(dirname "$mod")
	echo "== $dir"
	(cd "$dir" && go vet ./... && go test "$@" ./...)
done
echo "== ./rewrite (race)"
go test -race "$@" ./rewrite/...
