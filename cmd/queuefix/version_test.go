package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/queuefix/queuefix/internal/testfs"
	"github.com/queuefix/queuefix/internal/version"
)

// TestVersionFlag checks -version in process: a test binary has no module
// version, so it is a development build.
func TestVersionFlag(t *testing.T) {
	out, errOut, code := runIn(".", "-version")
	want := "queuefix " + version.String() + " " + runtime.Version() + "\n"
	if code != exitClean || out != want || errOut != "" {
		t.Errorf("queuefix -version: exit %d, stdout %q, stderr %q; want exit 0, stdout %q", code, out, errOut, want)
	}
	if !strings.HasPrefix(version.String(), "devel") {
		t.Errorf("a test binary's version is %q, want devel", version.String())
	}
}

// TestVersionLdflags builds queuefix the way the Action does, from a source
// tree with the version set by -ldflags -X, and checks that -version, -json
// and SARIF all carry it.
func TestVersionLdflags(t *testing.T) {
	const v = "v0.1.0-test.1"
	bin := filepath.Join(t.TempDir(), "queuefix")
	ldflags := "-X github.com/queuefix/queuefix/internal/version.override=" + v
	if out, err := exec.Command("go", "build", "-ldflags", ldflags, "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build -ldflags %q: %v\n%s", ldflags, err, out)
	}
	dir := t.TempDir()
	testfs.CopyTree(t, "../../testdata/readme", dir)
	writeTestFile(t, filepath.Join(dir, "go.mod"), stubGoMod(t, "readme"))
	queuefix := func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("queuefix %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}

	if got, want := string(queuefix("-version")), "queuefix "+v+" "+runtime.Version()+"\n"; got != want {
		t.Errorf("queuefix -version = %q, want %q", got, want)
	}
	var doc struct{ Version string }
	if err := json.Unmarshal(queuefix("-json"), &doc); err != nil || doc.Version != v {
		t.Errorf("queuefix -json: version %q (%v), want %q", doc.Version, err, v)
	}
	var sarif struct {
		Runs []struct {
			Tool struct {
				Driver struct{ Version, SemanticVersion string }
			}
		}
	}
	if err := json.Unmarshal(queuefix("-format", "sarif"), &sarif); err != nil || len(sarif.Runs) != 1 {
		t.Fatalf("queuefix -format sarif: %d runs (%v), want 1", len(sarif.Runs), err)
	}
	if d := sarif.Runs[0].Tool.Driver; d.Version != v || d.SemanticVersion != v[1:] {
		t.Errorf("SARIF tool.driver version %q, semanticVersion %q; want %q, %q", d.Version, d.SemanticVersion, v, v[1:])
	}
}
