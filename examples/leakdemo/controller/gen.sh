#!/bin/sh
# Regenerates fixed/ from leaky/ with queuefix, so that fixed/ is exactly
# what the tool makes of the legacy controllers.
set -eu
cd "$(dirname "$0")"
rm -f fixed/*.go
cp leaky/*.go fixed/
go run github.com/queuefix/queuefix/cmd/queuefix -w ./fixed
