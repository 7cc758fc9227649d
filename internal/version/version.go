// Package version says which queuefix a binary holds, for -version, the
// JSON and SARIF output and golangci-lint-queuefix --version.
package version

import (
	"runtime/debug"
	"strings"

	"golang.org/x/mod/semver"
)

// Module is queuefix's module path.
const Module = "github.com/queuefix/queuefix"

// override is set by builds from a source tree, where the build info has
// no module version (a checkout without .git, as the GitHub Action has):
//
//	go build -ldflags "-X github.com/queuefix/queuefix/internal/version.override=v0.1.0" ./cmd/queuefix
var override string

// String returns queuefix's version: the override if set, else the
// version of queuefix's module in the build info (v0.1.0 for go install
// ...@v0.1.0, a pseudo-version for a build from a git checkout), else
// "devel", followed by the VCS revision when the build recorded one.
func String() string {
	if override != "" {
		return override
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	return fromBuildInfo(info)
}

// fromBuildInfo finds queuefix's module in info: the main module for the
// queuefix commands, a dependency for golangci-lint-queuefix.
func fromBuildInfo(info *debug.BuildInfo) string {
	mod := &info.Main
	for _, dep := range info.Deps {
		if dep.Path == Module {
			mod = dep
		}
	}
	if mod.Replace != nil {
		mod = mod.Replace // a replaced module's own version says nothing
	}
	if mod.Path == Module && semver.IsValid(mod.Version) {
		return mod.Version
	}
	return devel(info.Settings)
}

// devel names a build without a module version by its VCS revision, when
// the go command stamped one (go build in a checkout, -buildvcs).
func devel(settings []debug.BuildSetting) string {
	rev, modified := "", false
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return "devel"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified {
		rev += "-dirty"
	}
	return "devel " + rev
}

// Semantic returns v as a semantic version without the leading v, or ""
// if v is none: "devel ...", or a shorthand like the Action's moving tag
// v0, which x/mod/semver accepts but SARIF's semanticVersion does not.
func Semantic(v string) string {
	core, _, _ := strings.Cut(v, "+")
	if !semver.IsValid(v) || semver.Canonical(v) != core {
		return ""
	}
	return v[1:]
}
