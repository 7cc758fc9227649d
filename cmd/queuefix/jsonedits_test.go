package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/queuefix/queuefix/internal/testfs"
)

// TestJSONEditsMatchWrite applies the edits -json prints for a scenario,
// as a consumer of the JSON would, and compares the files with what -w
// writes: the typed rule's files that gofmt lays out again must come out
// the same, realignment included.
func TestJSONEditsMatchWrite(t *testing.T) {
	for _, name := range []string{"typed-layout", "typed-layout-slots", "typed-multiline-args", "basic"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sc := loadScenario(t, filepath.Join("..", "..", "testdata", "scenarios", name+".txtar"))
			stdout, stderr, code := runIn(sc.dir, append([]string{"-json"}, sc.flags...)...)
			if code == exitError {
				t.Fatalf("-json failed: %s", stderr)
			}
			var doc jsonDoc
			if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
				t.Fatalf("-json output: %v\n%s", err, stdout)
			}
			edited := applyJSONEdits(t, sc.dir, doc)
			if len(edited) == 0 {
				t.Fatalf("-json planned no edits:\n%s", stdout)
			}
			written := t.TempDir()
			testfs.CopyTree(t, sc.dir, written)
			if _, errOut, code := runIn(written, append([]string{"-w"}, sc.flags...)...); code == exitError {
				t.Fatalf("-w failed: %s", errOut)
			}
			for rel, got := range edited {
				want, err := os.ReadFile(filepath.Join(written, rel))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s: the -json edits applied give\n%s\n-w writes\n%s", rel, got, want)
				}
			}
		})
	}
}

type byteEdit struct {
	Offset, End int
	New         string
}

// applyJSONEdits applies the edits of the change findings to the files of
// dir and returns the new bytes by relative path. An edit two findings
// share (one site seen by two rules) applies once; edits that overlap
// otherwise fail the test.
func applyJSONEdits(t *testing.T, dir string, doc jsonDoc) map[string][]byte {
	t.Helper()
	byFile := make(map[string][]byteEdit)
	for _, f := range doc.Findings {
		if f.Status != "change" {
			continue
		}
		for _, e := range f.Edits {
			be := byteEdit{e.Offset, e.End, e.New}
			if !slices.Contains(byFile[e.File], be) {
				byFile[e.File] = append(byFile[e.File], be)
			}
		}
	}
	out := make(map[string][]byte)
	for rel, edits := range byFile {
		src, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		slices.SortStableFunc(edits, func(a, b byteEdit) int { return a.Offset - b.Offset })
		var b strings.Builder
		last := 0
		for _, e := range edits {
			if e.Offset < last || e.End < e.Offset || e.End > len(src) {
				t.Fatalf("%s: edit %+v overlaps the one before it or lies outside the file (%d bytes)\nedits: %+v", rel, e, len(src), edits)
			}
			b.Write(src[last:e.Offset])
			b.WriteString(e.New)
			last = e.End
		}
		b.Write(src[last:])
		out[rel] = []byte(b.String())
	}
	return out
}
