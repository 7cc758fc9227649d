package gen

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/queuefix/queuefix/rewrite"
)

var (
	genN     = flag.Int("qf.gen", 0, "how many controllers to generate and run (0: 120, or 24 with -short or -race)")
	genSeed  = flag.Uint64("qf.seed", 1, "the generator's seed")
	genV1    = flag.Bool("qf.v1", false, "generate only the shapes Forget rule v1 (before issue 9) handles: no drops without Forget, no value-coded outcomes, no split workers")
	genKeep  = flag.String("qf.keep", "", "write the generated module into this directory and keep it")
	genOnly  = flag.String("qf.shape", "", "run one controller of this shape (as a failure prints it)")
	genTime  = flag.Duration("qf.shrink", 3*time.Minute, "how long to spend making a failing controller smaller (0: not at all)")
	genBatch = flag.Int("qf.batch", 500, "controllers per generated module: each batch is fixed by its own queuefix run and driven by its own binary")
)

// pinned is the module whose requirements the generated module copies: the
// real client-go v0.37.2 and controller-runtime v0.25.2 of the matrix.
const pinned = "../../../testdata/matrix/ctrlruntime-v0.25"

// TestExecute generates controllers, runs each before and after queuefix's
// fix against the real work queue, and holds every site, path and call log
// to the generator's oracle.
func TestExecute(t *testing.T) {
	n := *genN
	if n == 0 {
		n = 120
		if testing.Short() || raceEnabled {
			n = 24
		}
	}
	cs, err := Generate(*genSeed, n, Features{V2: !*genV1})
	if *genOnly != "" {
		cs, err = only(*genOnly)
	}
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	dir := moduleDir(t)
	bs := batches(cs, *genBatch)
	var out []*outcome
	for i, b := range bs {
		d := dir
		if len(bs) > 1 {
			d = filepath.Join(dir, fmt.Sprintf("batch%02d", i))
			t.Logf("batch %d of %d: %s..%s", i+1, len(bs), b[0].Name, b[len(b)-1].Name)
		}
		out = append(out, execute(t, d, b, nil)...)
	}
	st := report(t, cs, out)
	t.Logf("seed %d: %d controllers, %d distinct shapes, %d features; %d worker steps after the fix by path %v; %d generated bugs seen before the fix, %d not observable by the script; %d violations; %v",
		*genSeed, len(cs), distinct(cs), len(tags(cs)), st.Steps, st.Paths, st.BugsSeen, st.Unobserved, st.violations, time.Since(start).Round(time.Second))
	if st.violations > 0 && *genTime > 0 {
		shrink(t, out)
	}
}

// batches splits cs into runs of at most n controllers. One module per
// batch keeps each queuefix run and driver binary the size CI runs,
// however many controllers a long run asks for.
func batches(cs []*Controller, n int) [][]*Controller {
	if n < 1 {
		n = len(cs)
	}
	var out [][]*Controller
	for len(cs) > n {
		out = append(out, cs[:n])
		cs = cs[n:]
	}
	return append(out, cs)
}

func only(line string) ([]*Controller, error) {
	s, err := ParseShape(line)
	if err != nil {
		return nil, err
	}
	c, err := Build("c0000", s)
	return []*Controller{c}, err
}

func moduleDir(t *testing.T) string {
	if *genKeep == "" {
		return t.TempDir()
	}
	if err := os.RemoveAll(*genKeep); err != nil {
		t.Fatal(err)
	}
	return *genKeep
}

// outcome is what happened to one controller.
type outcome struct {
	c          *Controller
	findings   []Finding
	after      []byte
	diff       []byte
	before     Run
	fixed      Run
	violations []Violation
	stats      Stats
}

// execute writes the module, runs the driver, fixes the module as
// `queuefix -w ./c/...` does, runs the driver again and checks each
// controller. Both phases compile every controller into one binary. A
// mutant, if set, changes queuefix's result before it is written.
func execute(t *testing.T, dir string, cs []*Controller, mutant func(*rewrite.Result)) []*outcome {
	t.Helper()
	writeModule(t, dir, cs)
	start := time.Now()
	before := drive(t, dir, "before")
	t.Logf("before the fix: built and ran %d controllers in %v", len(cs), time.Since(start).Round(time.Millisecond))
	return fixAndCheck(t, dir, cs, before, mutant)
}

// fixAndCheck is execute after the first run of the driver: dir holds the
// module as generated, and before is what each controller did.
func fixAndCheck(t *testing.T, dir string, cs []*Controller, before map[string]Run, mutant func(*rewrite.Result)) []*outcome {
	t.Helper()
	start := time.Now()
	res, err := rewrite.Run(loadOptions(dir), []string{"./c/..."})
	if err != nil {
		t.Fatalf("queuefix: %v", err)
	}
	if len(res.Errors) > 0 {
		t.Fatalf("queuefix could not load the generated module: %v", res.Errors[0])
	}
	if mutant != nil {
		mutant(res)
	}
	byPkg := fixFiles(t, dir, res)
	t.Logf("queuefix: %d findings, %d files changed in %v", len(res.Findings), len(res.Files), time.Since(start).Round(time.Millisecond))
	start = time.Now()
	fixed := drive(t, dir, "after")
	t.Logf("after the fix: built and ran in %v", time.Since(start).Round(time.Millisecond))
	again := secondRun(t, dir)
	var out []*outcome
	for _, c := range cs {
		o := byPkg[c.Name]
		if o == nil {
			o = &outcome{after: c.Source}
		}
		o.c, o.before, o.fixed = c, before[c.Name], fixed[c.Name]
		o.stats.Paths = map[string]int{}
		o.violations = c.Check(o.findings, o.after, o.before, o.fixed, &o.stats)
		if d := again[c.Name]; d != "" {
			o.violations = append(o.violations, Violation{What: "a second run of queuefix changes the fixed file again:\n" + d})
		}
		out = append(out, o)
	}
	return out
}

// secondRun runs queuefix again on the fixed module: it must change
// nothing (the fix is idempotent). It returns the diffs by controller.
func secondRun(t *testing.T, dir string) map[string]string {
	res, err := rewrite.Run(loadOptions(dir), []string{"./c/..."})
	if err != nil {
		t.Fatalf("queuefix, second run: %v", err)
	}
	out := map[string]string{}
	for _, f := range res.Files {
		rel, _ := filepath.Rel(dir, f.Path)
		out[filepath.Base(filepath.Dir(f.Path))] += string(f.Diff(filepath.ToSlash(rel)))
	}
	return out
}

// loadOptions runs queuefix with the driver's build flags, so that go
// list -export finds the controllers the driver has just compiled in the
// build cache instead of compiling them again (most of a batch's load).
func loadOptions(dir string) rewrite.Options {
	return rewrite.Options{Dir: dir, Env: []string{"GOFLAGS=" + driverFlags}}
}

// driverFlags are the go command flags of the driver's build. No
// -trimpath: it would key every package's compile apart from the
// builds of the same module graph (the pinned module's, which
// cmd/queuefix's matrix tests compile), so a cold build cache would
// compile client-go, controller-runtime and the standard library twice. Only the generated controllers, in a new directory each
// run, miss the cache on a second run.
const driverFlags = "-mod=mod"

func writeModule(t *testing.T, dir string, cs []*Controller) {
	gomod, err := os.ReadFile(filepath.Join(pinned, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	gosum, err := os.ReadFile(filepath.Join(pinned, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if gomod, err = GoMod(gomod); err != nil {
		t.Fatal(err)
	}
	if err := WriteModule(dir, cs, gomod, gosum); err != nil {
		t.Fatal(err)
	}
	scripts := make(map[string]Script, len(cs))
	for _, c := range cs {
		scripts[c.Name] = c.Script
	}
	data, err := json.Marshal(scripts)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "scripts.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// drive builds the driver and runs every controller's script.
func drive(t *testing.T, dir, phase string) map[string]Run {
	t.Helper()
	bin := filepath.Join(dir, "driver-"+phase)
	build := exec.Command("go", "build", "-o", bin, "./driver")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOFLAGS="+driverFlags)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%s the fix, the generated module does not build: %v\n%s", phase, err, out)
	}
	run := exec.Command(bin, filepath.Join(dir, "scripts.json"))
	var stdout, stderr bytes.Buffer
	run.Stdout, run.Stderr = &stdout, &stderr
	err := run.Run()
	os.Remove(bin) // a batch's binary is large, and rebuilt from the cache in seconds
	if err != nil {
		t.Fatalf("%s the fix, the driver failed: %v\n%s", phase, err, tailOf(stderr.String()))
	}
	var out map[string]Run
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("%s the fix, the driver's output: %v", phase, err)
	}
	return out
}

func tailOf(s string) string {
	if len(s) > 4000 {
		return "..." + s[len(s)-4000:]
	}
	return s
}

// fixFiles writes queuefix's changes (what -w writes) and sorts its
// findings and diffs by controller.
func fixFiles(t *testing.T, dir string, res *rewrite.Result) map[string]*outcome {
	byPkg := map[string]*outcome{}
	get := func(path string) *outcome {
		name := filepath.Base(filepath.Dir(path))
		if byPkg[name] == nil {
			byPkg[name] = &outcome{}
		}
		return byPkg[name]
	}
	for _, f := range res.Findings {
		o := get(f.Pos.Filename)
		o.findings = append(o.findings, Finding{Line: f.Pos.Line, Rule: string(f.Rule), Status: f.Status.String(), Message: f.Text(filepath.Base)})
	}
	for _, f := range res.Files {
		if err := os.WriteFile(f.Path, f.New, 0o644); err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, f.Path)
		o := get(f.Path)
		o.diff = append(o.diff, f.Diff(filepath.ToSlash(rel))...)
	}
	for name, o := range byPkg {
		data, err := os.ReadFile(filepath.Join(dir, "c", name, "controller.go"))
		if err != nil {
			t.Fatal(err)
		}
		o.after = data
	}
	return byPkg
}

type summary struct {
	Stats
	violations int
}

// report prints each failing controller in full, up to a few, and sums
// the stats.
func report(t *testing.T, cs []*Controller, out []*outcome) summary {
	st := summary{Stats: Stats{Paths: map[string]int{}}}
	shown := 0
	for _, o := range out {
		st.Steps += o.stats.Steps
		st.BugsSeen += o.stats.BugsSeen
		st.Unobserved += o.stats.Unobserved
		for k, n := range o.stats.Paths {
			st.Paths[k] += n
		}
		if len(o.violations) == 0 {
			continue
		}
		st.violations += len(o.violations)
		if shown++; shown <= 3 {
			t.Errorf("%s", o.describe(*genSeed))
		} else {
			t.Errorf("controller %s (seed %d, shape %s): %s (and %d more)", o.c.Name, *genSeed, o.c.Shape, o.violations[0].What, len(o.violations)-1)
		}
	}
	return st
}

// describe prints everything needed to see and replay a failure.
func (o *outcome) describe(seed uint64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "controller %s (seed %d) broke the contract:\n", o.c.Name, seed)
	for _, v := range o.violations {
		fmt.Fprintf(&b, "  - %s\n", v.What)
		for _, e := range v.Entries {
			fmt.Fprintf(&b, "        %s\n", e)
		}
	}
	fmt.Fprintf(&b, "replay: go test ./rewrite/internal/gen -run TestExecute -qf.shape='%s'\n", o.c.Shape)
	fmt.Fprintf(&b, "queuefix said:\n")
	for _, f := range o.findings {
		fmt.Fprintf(&b, "  controller.go:%d: %s: %s: %s\n", f.Line, f.Rule, f.Status, f.Message)
	}
	fmt.Fprintf(&b, "queuefix's diff:\n%s", o.diff)
	fmt.Fprintf(&b, "source:\n%s", numbered(o.c.Source))
	return b.String()
}

func numbered(src []byte) string {
	var b strings.Builder
	for i, line := range strings.Split(strings.TrimRight(string(src), "\n"), "\n") {
		fmt.Fprintf(&b, "%4d  %s\n", i+1, line)
	}
	return b.String()
}

// shrink makes the first failing controller smaller, one choice at a
// time, as long as it still fails, and prints the smallest.
func shrink(t *testing.T, out []*outcome) {
	var cur *outcome
	for _, o := range out {
		if len(o.violations) > 0 {
			cur = o
			break
		}
	}
	deadline := time.Now().Add(*genTime)
	for time.Now().Before(deadline) {
		progress := false
		for _, s := range cur.c.Shape.simpler() {
			if time.Now().After(deadline) {
				break
			}
			c, err := Build("c0000", s)
			if err != nil {
				t.Fatal(err)
			}
			res := execute(t, t.TempDir(), []*Controller{c}, nil)
			if len(res[0].violations) > 0 {
				cur, progress = res[0], true
				break
			}
		}
		if !progress {
			break
		}
	}
	t.Errorf("shrunk to:\n%s", cur.describe(*genSeed))
}

func distinct(cs []*Controller) int {
	seen := map[string]bool{}
	for _, c := range cs {
		seen[c.Shape.String()] = true
	}
	return len(seen)
}

func tags(cs []*Controller) []string {
	seen := map[string]bool{}
	for _, c := range cs {
		for _, tag := range c.Shape.Tags() {
			seen[tag] = true
		}
	}
	var out []string
	for tag := range seen {
		out = append(out, tag)
	}
	sort.Strings(out)
	return out
}

// TestDoneMutant runs controllers whose workers miss Done (never, or on
// the invalid item's early return) with queuefix's fix, which must pass
// every check, and with a mutant of queuefix that drops the done rule,
// which the harness must catch on every such controller.
func TestDoneMutant(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs generated controllers against the real client-go")
	}
	var cs []*Controller
	for i, line := range []string{
		"typed handler=closure enqueue=direct worker=flat style=returns outcome=err success-forget=true limit=false drop-forget=true perm=drop invalid=forget rule=v2 done=none",
		"legacy handler=method enqueue=helper worker=closure style=chain outcome=switch success-forget=false limit=true drop-forget=true perm=retry invalid=forget rule=v2 done=none",
		"typed handler=closure enqueue=add worker=split style=returns outcome=handleerr success-forget=true limit=false drop-forget=true perm=after invalid=none rule=v2 done=none",
		"legacy handler=closure enqueue=direct worker=doneend style=chain outcome=err success-forget=true limit=false drop-forget=true perm=drop invalid=forget rule=v2 done=early",
		"typed handler=closure enqueue=direct worker=doneend style=chain outcome=err success-forget=false limit=true drop-forget=false perm=retry invalid=bare rule=v2 done=early",
	} {
		s, err := ParseShape(line)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Build(fmt.Sprintf("c%04d", i), s)
		if err != nil {
			t.Fatal(err)
		}
		if c.Oracle.Done != Change {
			t.Fatalf("%s: the oracle says %s, want change", line, c.Oracle.Done)
		}
		cs = append(cs, c)
	}
	dir := t.TempDir()
	writeModule(t, dir, cs)
	before := drive(t, dir, "before")
	for _, o := range fixAndCheck(t, dir, cs, before, nil) {
		for _, v := range o.violations {
			t.Errorf("with the done rule, %s (%s): %s", o.c.Name, o.c.Shape, v.What)
		}
	}
	// The mutant fixes the module as generated, written again in the same
	// directory: the build cache, which keys a package by its directory
	// and files, still holds the controllers, and the run before the fix
	// is the one above (queuefix plays no part in it).
	writeModule(t, dir, cs)
	for _, o := range fixAndCheck(t, dir, cs, before, dropRule(rewrite.RuleDone)) {
		if len(o.violations) == 0 {
			t.Errorf("without the done rule, %s (%s) passes every check:\n%s", o.c.Name, o.c.Shape, o.diff)
		}
		for _, v := range o.violations {
			t.Logf("without the done rule, %s: %s", o.c.Name, v.What)
		}
	}
}

// dropRule is a mutant of queuefix without one rule: its findings are
// gone, and the files get only the other rules' edits.
func dropRule(r rewrite.Rule) func(*rewrite.Result) {
	return func(res *rewrite.Result) {
		var kept []rewrite.Finding
		edits := map[string][]rewrite.Edit{}
		for _, f := range res.Findings {
			if f.Rule == r {
				continue
			}
			kept = append(kept, f)
			if f.Status == rewrite.Change {
				for _, e := range f.Edits {
					edits[e.File] = append(edits[e.File], e)
				}
			}
		}
		res.Findings = kept
		var files []rewrite.File
		for _, f := range res.Files {
			if es := edits[f.Path]; len(es) > 0 {
				files = append(files, rewrite.File{Path: f.Path, Old: f.Old, New: splice(f.Old, es)})
			}
		}
		res.Files = files
	}
}

// splice applies edits to src in offset order, each identical edit once,
// as queuefix does.
func splice(src []byte, edits []rewrite.Edit) []byte {
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].Offset < edits[j].Offset })
	var b bytes.Buffer
	last := 0
	for i, e := range edits {
		if i > 0 && e == edits[i-1] {
			continue
		}
		b.Write(src[last:e.Offset])
		b.WriteString(e.New)
		last = e.End
	}
	b.Write(src[last:])
	return b.Bytes()
}
