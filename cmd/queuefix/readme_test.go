package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/queuefix/queuefix/internal/version"
)

// TestReadmeJSON checks the README's -json example against the output of
// queuefix -json on testdata/readme, the module the README says it shows.
func TestReadmeJSON(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "\n## JSON\n")
	if !ok {
		t.Fatal("README.md has no JSON section")
	}
	_, block, ok := strings.Cut(rest, "```json\n")
	block, _, ok2 := strings.Cut(block, "```\n")
	if !ok || !ok2 {
		t.Fatal("README.md's JSON section has no ```json block")
	}
	var want any
	if err := json.Unmarshal([]byte(block), &want); err != nil {
		t.Fatalf("README.md's JSON example does not parse: %v", err)
	}
	dir := t.TempDir()
	copyTree(t, "../../testdata/readme", dir)
	writeTestFile(t, filepath.Join(dir, "go.mod"), stubGoMod(t, "readme"))
	out, errOut, code := runIn(dir, "-json")
	if code != exitClean { // machine formats exit 0 unless something failed
		t.Fatalf("exit %d, want 0\n%s", code, errOut)
	}
	var got any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("-json output does not parse: %v\n%s", err, out)
	}
	sameVersion(t, got, want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("README.md's JSON example differs from queuefix -json on testdata/readme\n--- got:\n%s--- README:\n%s", out, block)
	}
}

// sameVersion checks the output's version, which depends on the build,
// and then gives it the README's, or drops it where the README shows none.
func sameVersion(t *testing.T, got, want any) {
	t.Helper()
	g, _ := got.(map[string]any)
	w, _ := want.(map[string]any)
	if g == nil || w == nil {
		return // not objects: reflect.DeepEqual reports it
	}
	if g["version"] != version.String() {
		t.Errorf("-json version %v, want %q", g["version"], version.String())
	}
	if v, ok := w["version"]; ok {
		g["version"] = v
	} else {
		delete(g, "version")
	}
}
