#!/usr/bin/env bash
# queuefix's test suite: go vet and go test in every Go module of this
# repository (the tool and the nested example and plugin modules), then the
# engine again under the race detector. Arguments go to every go test.
set -euo pipefail
cd "$(dirname "$0")"
# On a cold build cache cmd/queuefix compiles several client-go versions for
# its matrix: give each test binary more than go test's default 10 minutes.
timeout=-timeout=25m
modules=$(find . -name go.mod -not -path '*/testdata/*' -not -path './.git/*' | sort)
for mod in $modules; do
	dir=$(dirname "$mod")
	echo "== $dir"
	# gclplugin's tests build golangci-lint from a module cache of their own,
	# with -trimpath so that the build cache serves them; go vet compiles
	# golangci-lint for its export data, and with the same flag it compiles
	# it for them too (once, not twice, on a cold cache).
	flags=${GOFLAGS:-}
	if [ "$dir" = ./gclplugin ]; then flags="$flags -trimpath"; fi
	(cd "$dir" && GOFLAGS="$flags" go vet ./... && go test "$timeout" "$@" ./...)
done
# The engine under the race detector; the generated-controller harness
# (rewrite/internal/gen) only drives child processes, and already ran above.
echo "== ./rewrite (race)"
go test -race "$timeout" "$@" $(go list ./rewrite/... | grep -v /internal/gen)
