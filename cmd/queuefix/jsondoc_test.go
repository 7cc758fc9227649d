package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/queuefix/queuefix/internal/testfs"
	"github.com/queuefix/queuefix/internal/version"
)

// TestJSONExample checks the -json example in docs/cli.md against the
// output of queuefix -json on testdata/readme, the module the page says it
// shows. It compares parsed JSON, not bytes: the example is laid out for
// reading, the output is indented with tabs.
func TestJSONExample(t *testing.T) {
	const page = "../../docs/cli.md"
	doc, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "\n## JSON\n")
	if !ok {
		t.Fatalf("%s has no JSON section", page)
	}
	_, block, ok := strings.Cut(rest, "```json\n")
	block, _, ok2 := strings.Cut(block, "```\n")
	if !ok || !ok2 {
		t.Fatalf("%s's JSON section has no ```json block", page)
	}
	var want any
	if err := json.Unmarshal([]byte(block), &want); err != nil {
		t.Fatalf("%s's JSON example does not parse: %v", page, err)
	}
	dir := t.TempDir()
	testfs.CopyTree(t, "../../testdata/readme", dir)
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
		t.Errorf("%s's JSON example differs from queuefix -json on testdata/readme\n--- got:\n%s--- %s:\n%s", page, out, page, block)
	}
}

// sameVersion checks the output's version, which depends on the build,
// and that the example shows one, and then gives the output the example's.
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
	v, ok := w["version"].(string)
	if !ok {
		t.Errorf("the JSON example has no \"version\" string, which -json prints first: %v", w["version"])
	}
	g["version"] = v
}
