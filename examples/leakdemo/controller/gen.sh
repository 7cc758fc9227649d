#!/bin/sh
# Regenerates fixed/ from leaky/ with queuefix, so that fixed/ is exactly
# what the tool makes of the legacy controller.
set -eu
cd "$(dirname "$0")"
cp leaky/controller.go fixed/controller.go
go run github.com/queuefix/queuefix/cmd/queuefix -w ./fixed
