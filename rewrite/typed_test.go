package rewrite

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/queuefix/queuefix/internal/testfs"
)

// TestTypedKeepsVerdicts migrates the example and the matrix modules on
// client-go v0.31 and newer with the typed rule, and checks that the
// other rules give the same verdict, with the same message, for every
// site before and after (the witness chains may differ: the call graph
// sees the typed methods).
func TestTypedKeepsVerdicts(t *testing.T) {
	if testing.Short() {
		t.Skip("loads real client-go")
	}
	for _, dir := range []string{"../examples/leaky", "../testdata/matrix/clientgo-v0.31", "../testdata/matrix/clientgo-v0.37", "../testdata/matrix/ctrlruntime-v0.25"} {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			work := t.TempDir()
			testfs.CopyTree(t, dir, work)
			before := verdicts(t, work)
			res, err := Run(Options{Dir: work, Tests: true, Rules: []Rule{RuleTyped}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range res.Files {
				if err := os.WriteFile(f.Path, f.New, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			after := verdicts(t, work)
			if !slices.Equal(before, after) {
				t.Errorf("%s: verdicts differ after %d typed files changed\n--- before:\n%q\n--- after:\n%q", dir, len(res.Files), before, after)
			}
		})
	}
}

var positions = regexp.MustCompile(`:\d+:\d+|line \d+`)

// verdicts returns the default rules' findings in dir as "rule status
// message", positions left out, sorted.
func verdicts(t *testing.T, dir string) []string {
	t.Helper()
	res, err := Run(Options{Dir: dir, Tests: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range res.Findings {
		out = append(out, string(f.Rule)+" "+f.Status.String()+" "+positions.ReplaceAllString(f.Message, ""))
	}
	slices.Sort(out)
	return out
}
