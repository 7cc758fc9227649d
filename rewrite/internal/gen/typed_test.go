package gen

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

var genTyped = flag.Int("qf.typed", 0, "generate this many legacy-constructor controllers, migrate them with `queuefix -rule typed -w` and compare each one's queue trace before and after (0: do not)")

// handCase is a generated legacy controller and its migration by hand.
const handCase = "../../../testdata/typed/harness/hand.txtar"

// A mutation is a bug a typed migration could bring in, applied to the
// hand migration: the harness must see it.
type mutation struct {
	name     string
	old, new string
	trace    bool // the trace comparison must see it (else the source check)
}

var mutations = []mutation{
	{"handler Add becomes AddRateLimited", "\tc.queue.Add(key)\n", "\tc.queue.AddRateLimited(key)\n", true},
	{"retry AddRateLimited becomes Add", "c.queue.AddRateLimited(key) // site:r1", "c.queue.Add(key) // site:r1", true},
	{"success Forget dropped", "\t\t} else {\n\t\t\tc.queue.Forget(key)\n\t\t}\n", "\t\t}\n", true},
	{"other limiter", "workqueue.DefaultTypedControllerRateLimiter[string]()", "workqueue.NewTypedItemExponentialFailureRateLimiter[string](10*time.Millisecond, 1000*time.Second)", true},
	{"queue name dropped", `workqueue.TypedRateLimitingQueueConfig[string]{Name: "c0000"}`, "workqueue.TypedRateLimitingQueueConfig[string]{}", false},
}

// TestTypedHand runs a generated legacy controller and its migration by
// hand on the real work queue and compares their traces; each mutation
// of the hand migration must make the comparison fail.
func TestTypedHand(t *testing.T) {
	shape, before, after := readHandCase(t)
	c, err := Build("c0000", shape)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c.Source, before) {
		t.Fatalf("%s: before.go is no longer what the generator writes for its shape; migrate the new source by hand again. generated:\n%s", handCase, c.Source)
	}
	cs := []*Controller{c, variant(c, 1, after)}
	for i, m := range mutations {
		if bytes.Count(after, []byte(m.old)) != 1 {
			t.Fatalf("mutation %q: %q is not in after.go exactly once", m.name, m.old)
		}
		cs = append(cs, variant(c, i+2, bytes.Replace(after, []byte(m.old), []byte(m.new), 1)))
	}
	dir := t.TempDir()
	writeModule(t, dir, cs)
	runs := drive(t, dir, "hand")
	if v := append(CompareTraces(runs["c0000"], runs["c0001"]), CheckMigrated(after, "c0000")...); len(v) > 0 {
		t.Errorf("the hand migration:\n%s", describeMigration("c0001", shape, v, before, after))
	}
	if n := len(runs["c0000"].Log); n < 30 {
		t.Errorf("the script drove only %d queue calls; want the full retry cycle (30 or more)", n)
	}
	for i, m := range mutations {
		mut := cs[i+2]
		trace := CompareTraces(runs["c0000"], runs[mut.Name])
		static := CheckMigrated(mut.Source, "c0000")
		switch {
		case m.trace && len(trace) == 0:
			t.Errorf("mutation %q: the traces still agree\n%s", m.name, mut.Source)
		case !m.trace && len(static) == 0:
			t.Errorf("mutation %q: the source check sees nothing\n%s", m.name, mut.Source)
		default:
			t.Logf("mutation %q caught: %s", m.name, append(trace, static...)[0].What)
		}
	}
	if v := CheckMigrated(before, "c0000"); len(v) == 0 {
		t.Errorf("the source check finds no legacy names in the unmigrated controller:\n%s", before)
	}
}

func readHandCase(t *testing.T) (Shape, []byte, []byte) {
	ar, err := txtar.ParseFile(handCase)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range ar.Files {
		files[f.Name] = f.Data
	}
	for _, name := range []string{"shape", "before.go", "after.go"} {
		if files[name] == nil {
			t.Fatalf("%s: no file %s", handCase, name)
		}
	}
	shape, err := ParseShape(strings.TrimSpace(string(files["shape"])))
	if err != nil {
		t.Fatalf("%s: %v", handCase, err)
	}
	return shape, files["before.go"], files["after.go"]
}

// variant is c with another source, as controller number i.
func variant(c *Controller, i int, src []byte) *Controller {
	name := fmt.Sprintf("c%04d", i)
	v := *c
	v.Name = name
	v.Source = bytes.Replace(src, []byte("package "+c.Name+"\n"), []byte("package "+name+"\n"), 1)
	return &v
}

// TestTypedRule generates legacy-constructor controllers, migrates them
// with `queuefix -rule typed -w`, and holds each migrated controller to
// the original: same trace, no legacy names left, the queue's name kept,
// and a second run changes nothing. By default it runs the few
// controllers that cover every shape feature of a legacy draw (skipped
// with -short); -qf.typed=N runs N drawn controllers.
func TestTypedRule(t *testing.T) {
	cs, err := typedControllers()
	if err != nil {
		t.Fatal(err)
	}
	if testing.Short() && *genTyped == 0 && *genOnly == "" {
		t.Skip("drives the real work queue; skipped with -short (-qf.typed=N runs N controllers)")
	}
	dir := moduleDir(t)
	writeModule(t, dir, cs)
	before := drive(t, dir, "before")
	for _, c := range cs {
		// The legacy controller must do what its oracle says before any
		// migration, or an equal trace after it proves nothing.
		v := c.checkSteps(before[c.Name].Log, false, &Stats{Paths: map[string]int{}})
		if before[c.Name].Err != "" {
			v = append(v, Violation{What: "the run failed: " + before[c.Name].Err})
		}
		if len(v) > 0 {
			t.Fatalf("before the migration:\n%s", describeMigration(c.Name, c.Shape, v, c.Source, c.Source))
		}
	}
	qf := buildQueuefix(t, dir)
	out := runQueuefix(t, qf, dir, "-w", "./c/...")
	t.Logf("queuefix -rule typed -w:\n%s", tailOf(out))
	after := drive(t, dir, "after")
	bad, traces := 0, 0
	for _, c := range cs {
		src, err := os.ReadFile(filepath.Join(dir, "c", c.Name, "controller.go"))
		if err != nil {
			t.Fatal(err)
		}
		tv := CompareTraces(before[c.Name], after[c.Name])
		v := append(tv, CheckMigrated(src, c.Name)...)
		if len(v) == 0 {
			continue
		}
		if len(tv) > 0 {
			traces++
		}
		if bad++; bad <= 3 {
			t.Errorf("%s", describeMigration(c.Name, c.Shape, v, c.Source, src))
		} else {
			t.Errorf("controller %s (shape %s): %s", c.Name, c.Shape, v[0].What)
		}
	}
	if again := runQueuefix(t, qf, dir, "-diff", "./c/..."); strings.Contains(again, "diff --git") {
		t.Errorf("a second run of -rule typed changes the migrated controllers again:\n%s", tailOf(again))
	}
	t.Logf("seed %d: %d controllers, %d distinct shapes; %d break the contract, %d of them with another trace", *genSeed, len(cs), distinct(cs), bad, traces)
}

// coverDraws is how many legacy draws the default run picks its
// controllers from.
const coverDraws = 400

// typedControllers returns the controllers TestTypedRule migrates: the
// one of -qf.shape, N drawn ones for -qf.typed=N, or by default the
// fewest of coverDraws draws that still cover every tag they show.
func typedControllers() ([]*Controller, error) {
	switch {
	case *genOnly != "":
		return only(*genOnly)
	case *genTyped > 0:
		return GenerateLegacy(*genSeed, *genTyped)
	}
	cs, err := GenerateLegacy(*genSeed, coverDraws)
	if err != nil {
		return nil, err
	}
	return cover(cs), nil
}

// cover picks controllers greedily, each the one that adds the most
// tags not yet covered, until the picked ones show every tag of cs.
func cover(cs []*Controller) []*Controller {
	covered := map[string]bool{}
	var out []*Controller
	for {
		best, gain := -1, 0
		for i, c := range cs {
			n := 0
			for _, tag := range c.Shape.Tags() {
				if !covered[tag] {
					n++
				}
			}
			if n > gain {
				best, gain = i, n
			}
		}
		if best < 0 {
			return out
		}
		for _, tag := range cs[best].Shape.Tags() {
			covered[tag] = true
		}
		out = append(out, cs[best])
	}
}

func buildQueuefix(t *testing.T, dir string) string {
	bin := filepath.Join(dir, "queuefix")
	build := exec.Command("go", "build", "-o", bin, "./cmd/queuefix")
	build.Dir = "../../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build queuefix: %v\n%s", err, out)
	}
	return bin
}

// runQueuefix runs `queuefix -rule typed <mode> <pattern>` in dir; exit
// codes 0 and 1 (changes or findings) are a run that worked.
func runQueuefix(t *testing.T, bin, dir, mode, pattern string) string {
	cmd := exec.Command(bin, "-rule", "typed", mode, pattern)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS="+driverFlags)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() > 1) {
		t.Fatalf("queuefix -rule typed %s: %v\n%s", mode, err, tailOf(string(out)))
	}
	return string(out)
}

// describeMigration prints what is needed to see a migration failure.
func describeMigration(name string, shape Shape, v []Violation, before, after []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "controller %s (shape %s):\n", name, shape)
	for _, x := range v {
		fmt.Fprintf(&b, "  - %s\n", x.What)
		for _, e := range x.Entries {
			fmt.Fprintf(&b, "        %s\n", e)
		}
	}
	fmt.Fprintf(&b, "replay: go test ./rewrite/internal/gen -run TestTypedRule -qf.typed=1 -qf.shape='%s'\n", shape)
	fmt.Fprintf(&b, "before:\n%s", numbered(before))
	fmt.Fprintf(&b, "after:\n%s", numbered(after))
	return b.String()
}

// TestTypedCover holds the default run's controllers to their promise:
// together they show every tag the draws show, and they are few.
func TestTypedCover(t *testing.T) {
	cs, err := GenerateLegacy(*genSeed, coverDraws)
	if err != nil {
		t.Fatal(err)
	}
	picked := cover(cs)
	want, got := map[string]bool{}, map[string]bool{}
	for _, c := range cs {
		for _, tag := range c.Shape.Tags() {
			want[tag] = true
		}
	}
	for _, c := range picked {
		for _, tag := range c.Shape.Tags() {
			got[tag] = true
		}
	}
	for tag := range want {
		if !got[tag] {
			t.Errorf("tag %s of the draws is not covered by the %d picked controllers", tag, len(picked))
		}
	}
	if len(picked) > 12 {
		t.Errorf("cover picked %d controllers of %d, want at most 12 for the default run", len(picked), len(cs))
	}
	for _, c := range picked {
		t.Logf("%s: %s", c.Name, c.Shape)
	}
	t.Logf("%d controllers cover the %d tags of %d draws", len(picked), len(want), len(cs))
}
