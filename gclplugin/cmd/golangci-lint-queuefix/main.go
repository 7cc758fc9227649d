// Command golangci-lint-queuefix is golangci-lint with the queuefix plugin
// compiled in: what `golangci-lint custom` builds from .custom-gcl.yml,
// built from the module proxy alone.
//
//	go install github.com/queuefix/queuefix/gclplugin/cmd/golangci-lint-queuefix@latest
//	golangci-lint-queuefix run ./...
package main

import (
	"fmt"
	"os"
	"runtime/debug"

	"github.com/golangci/golangci-lint/v2/pkg/commands"
	"github.com/golangci/golangci-lint/v2/pkg/exitcodes"

	_ "github.com/queuefix/queuefix/gclplugin" // registers the plugin
)

func main() {
	info := commands.BuildInfo{Version: "unknown", Commit: "?", Date: "(unknown)", GoVersion: "unknown"}
	if bi, ok := debug.ReadBuildInfo(); ok {
		info.GoVersion = bi.GoVersion
		for _, dep := range bi.Deps {
			if dep.Path == "github.com/golangci/golangci-lint/v2" {
				info.Version = dep.Version
			}
		}
	}
	if err := commands.Execute(info); err != nil {
		fmt.Fprintf(os.Stderr, "The command is terminated due to an error: %v\n", err)
		os.Exit(exitcodes.Failure)
	}
}
