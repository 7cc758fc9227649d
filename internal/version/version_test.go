package version

import (
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	rev := []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "false"}}
	dirty := []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}
	queuefix := func(v string) debug.Module { return debug.Module{Path: Module, Version: v} }
	for _, tc := range []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"go install @v0.1.0", debug.BuildInfo{Main: queuefix("v0.1.0")}, "v0.1.0"},
		{"git checkout", debug.BuildInfo{Main: queuefix("v0.1.1-0.20261206201500-0123456789ab+dirty"), Settings: dirty}, "v0.1.1-0.20261206201500-0123456789ab+dirty"},
		{"no version", debug.BuildInfo{Main: queuefix("(devel)")}, "devel"},
		{"no version, revision", debug.BuildInfo{Main: queuefix("(devel)"), Settings: rev}, "devel 0123456789ab"},
		{"no version, modified", debug.BuildInfo{Main: queuefix("(devel)"), Settings: dirty}, "devel 0123456789ab-dirty"},
		{"dependency", debug.BuildInfo{
			Main: debug.Module{Path: "github.com/queuefix/queuefix/gclplugin", Version: "v0.1.0"},
			Deps: []*debug.Module{{Path: "github.com/golangci/golangci-lint/v2", Version: "v2.15.0"}, {Path: Module, Version: "v0.1.0"}},
		}, "v0.1.0"},
		{"workspace dependency", debug.BuildInfo{
			Main: debug.Module{Path: "github.com/queuefix/queuefix/gclplugin", Version: "(devel)"},
			Deps: []*debug.Module{{Path: Module, Version: "(devel)"}},
		}, "devel"},
		{"replaced dependency", debug.BuildInfo{
			Main: debug.Module{Path: "example.com/tools", Version: "(devel)"},
			Deps: []*debug.Module{{Path: Module, Version: "v0.1.0", Replace: &debug.Module{Path: "../queuefix"}}},
		}, "devel"},
		{"not linked", debug.BuildInfo{Main: debug.Module{Path: "example.com/other", Version: "v1.0.0"}}, "devel"},
	} {
		if got := fromBuildInfo(&tc.info); got != tc.want {
			t.Errorf("%s: fromBuildInfo(main %s %s) = %q, want %q", tc.name, tc.info.Main.Path, tc.info.Main.Version, got, tc.want)
		}
	}
}

func TestOverride(t *testing.T) {
	defer func(old string) { override = old }(override)
	override = "v0.1.0"
	if got := String(); got != "v0.1.0" {
		t.Errorf("String() with override v0.1.0 = %q", got)
	}
}

func TestSemantic(t *testing.T) {
	for v, want := range map[string]string{
		"v0.1.0": "0.1.0",
		"v0.1.1-0.20261206201500-0123456789ab+dirty": "0.1.1-0.20261206201500-0123456789ab+dirty",
		"v0":                 "",
		"v0.1":               "",
		"devel":              "",
		"devel 0123456789ab": "",
		"":                   "",
	} {
		if got := Semantic(v); got != want {
			t.Errorf("Semantic(%q) = %q, want %q", v, got, want)
		}
	}
}
