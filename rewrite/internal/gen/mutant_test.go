package gen

import (
	"testing"

	"github.com/queuefix/queuefix/rewrite"
	"github.com/queuefix/queuefix/rewrite/internal/mutant"
)

// TestMutants breaks the escape judgement of stores one way at a time
// (rewrite/internal/mutant) and holds the worker verdicts of the
// generated controllers that store their key to their oracles: the
// engine as it is breaks none, and each mutant breaks some. Only queuefix
// runs here; TestExecute runs the same shapes against the real queue.
func TestMutants(t *testing.T) {
	cs := storeControllers(t, 16)
	dir := t.TempDir()
	for _, m := range []struct {
		name, stores string
	}{
		{"none", ""},
		{"a store never escapes", "never"},
		{"every store escapes, by syntax", "syntax"},
	} {
		mutant.Stores = m.stores
		broken, msg := brokenVerdicts(t, dir, cs)
		mutant.Stores = ""
		t.Logf("mutant %q: %d of %d worker verdicts break", m.name, broken, len(cs))
		switch {
		case m.stores == "" && broken > 0:
			t.Errorf("the engine breaks %d worker verdicts: %s", broken, msg)
		case m.stores != "" && broken == 0:
			t.Errorf("mutant %q is not caught: every worker verdict of %d controllers holds", m.name, len(cs))
		}
	}
}

// storeControllers returns up to n controllers of the seed whose worker
// stores its key, lookup and parked alike, both kinds at least once.
func storeControllers(t *testing.T, n int) []*Controller {
	all, err := Generate(*genSeed, 8*n, Features{V2: true})
	if err != nil {
		t.Fatal(err)
	}
	var out []*Controller
	kinds := map[string]int{}
	for _, c := range all {
		if c.Shape.Store != "none" && len(out) < n {
			out = append(out, c)
			kinds[c.Shape.Store]++
		}
	}
	if kinds["lookup"] == 0 || kinds["parked"] == 0 {
		t.Fatalf("seed %d: %v stores among %d controllers, want lookup and parked", *genSeed, kinds, len(all))
	}
	return out
}

// brokenVerdicts writes the controllers into dir, runs queuefix once on
// them and counts those whose worker verdict breaks the oracle, with the
// first such message. Each mutant's run writes the same files in the
// same directory: go list -export finds them compiled by the run before.
func brokenVerdicts(t *testing.T, dir string, cs []*Controller) (int, string) {
	writeModule(t, dir, cs)
	res, err := rewrite.Run(loadOptions(dir), []string{"./c/..."})
	if err != nil {
		t.Fatalf("queuefix: %v", err)
	}
	if len(res.Errors) > 0 {
		t.Fatalf("queuefix could not load the generated module: %v", res.Errors[0])
	}
	byPkg := fixFiles(t, dir, res)
	broken, first := 0, ""
	for _, c := range cs {
		o := byPkg[c.Name]
		if o == nil {
			o = &outcome{after: c.Source}
		}
		if v := c.checkWorkerVerdict(o.findings, o.after); len(v) > 0 {
			broken++
			if first == "" {
				first = c.Name + " (" + c.Shape.String() + "): " + v[0].What
			}
		}
	}
	return broken, first
}
