// Command golangci-lint-queuefix is golangci-lint with the queuefix plugin
// compiled in: what `golangci-lint custom` builds from .custom-gcl.yml,
// installed from the module proxy alone.
//
//	go install github.com/queuefix/queuefix/gclplugin/cmd/golangci-lint-queuefix@v0.1.0
//	golangci-lint-queuefix run ./...
package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/golangci/golangci-lint/v2/pkg/commands"
	"github.com/golangci/golangci-lint/v2/pkg/exitcodes"

	_ "github.com/queuefix/queuefix/analyzer/gclplugin" // registers the plugin
	"github.com/queuefix/queuefix/internal/version"
)

const golangciLint = "github.com/golangci/golangci-lint/v2"

func main() {
	if err := commands.Execute(buildInfo()); err != nil {
		fmt.Fprintf(os.Stderr, "The command is terminated due to an error: %v\n", err)
		os.Exit(exitcodes.Failure)
	}
}

// buildInfo names golangci-lint's version and queuefix's, as
// kube-api-linter's binary does: golangci-lint --version prints
// "golangci-lint has version 2.15.0, queuefix has version v0.1.0 built with ...".
func buildInfo() commands.BuildInfo {
	info := commands.BuildInfo{Version: "unknown", Commit: "?", Date: "(unknown)", GoVersion: "unknown"}
	if bi, ok := debug.ReadBuildInfo(); ok {
		info.GoVersion = bi.GoVersion
		for _, dep := range bi.Deps {
			if dep.Path == golangciLint {
				info.Version = strings.TrimPrefix(dep.Version, "v")
			}
		}
	}
	info.Version += ", queuefix has version " + version.String()
	return info
}
