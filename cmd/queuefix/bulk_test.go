package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/queuefix/queuefix/internal/testfs"
)

// fleetTree is a directory holding several modules the way a repository
// with nested modules, a GOPATH tree and fixtures does.
func fleetTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, m := range []string{"a", "b/nested"} {
		writeTestFile(t, filepath.Join(root, m, "go.mod"), stubGoMod(t, strings.ReplaceAll(m, "/", "-")))
		writeFiles(t, filepath.Join(root, m), map[string]string{"ctrl/ctrl.go": leaky})
	}
	writeTestFile(t, filepath.Join(root, "b/nested/testdata/fixture/go.mod"), stubGoMod(t, "fixture"))
	writeFiles(t, filepath.Join(root, "b/nested/testdata/fixture"), map[string]string{"ctrl.go": leaky})
	writeTestFile(t, filepath.Join(root, "broken/go.mod"), []byte("module example.com/broken\n\ngo 1.22\n"))
	writeFiles(t, filepath.Join(root, "broken"), map[string]string{"b.go": "package broken\n\nfunc f() { undefinedThing() }\n"})
	gopath := filepath.Join(root, "legacy")
	testfs.CopyTree(t, "../../testdata/stubs/client-go", filepath.Join(gopath, "src/k8s.io/client-go"))
	testfs.CopyTree(t, "../../testdata/stubs/apimachinery", filepath.Join(gopath, "src/k8s.io/apimachinery"))
	writeFiles(t, filepath.Join(gopath, "src/example.com/ctrl"), map[string]string{"ctrl.go": leaky})
	return root
}

func TestModules(t *testing.T) {
	root := fleetTree(t)
	r := queuefixIn(root, "-modules", "-diff", ".")
	want := []string{
		leakyDiff("a/ctrl/ctrl.go"),
		leakyDiff("b/nested/ctrl/ctrl.go"),
		leakyDiff("legacy/src/example.com/ctrl/ctrl.go"),
		"!fixture",
	}
	r.expect(t, exitError, want, []string{
		"package example.com/broken does not load",
		"broken/b.go:3:12: undefined: undefinedThing",
		"queuefix: 4 modules",
	})
	for _, row := range []string{"a ", "b/nested ", "broken ", "legacy/src "} {
		if !strings.Contains(r.stderr, "\n"+row) {
			t.Errorf("summary lacks a row for %q\n%v", row, r)
		}
	}
	gitApplyCheck(t, root, r.stdout)
}

// TestModulesSummaryCounts checks one summary row against what changed.
func TestModulesSummaryCounts(t *testing.T) {
	root := fleetTree(t)
	r := queuefixIn(root, "-modules", "-l", "a")
	fields := summaryRow(t, r, "a")
	// files; calls: total, to Add, review, kept; workers: total, Forget, review, forgot; errors
	want := "a 1 2 1 0 1 1 1 0 0 0"
	if got := strings.Join(fields[:11], " "); got != want {
		t.Errorf("summary row %q, want %q: 1 file; 2 calls, 1 to Add, 1 kept (the retry); 1 worker, 1 Forget\n%v", got, want, r)
	}
	if !strings.HasSuffix(r.stderr, "\nqueuefix: 2 AddRateLimited calls: 1 to Add, 1 kept; 1 worker: 1 Forget to add\n") {
		t.Errorf("stderr does not end with the accounting line\n%v", r)
	}
	if r.code != exitPending || strings.TrimSpace(r.stdout) != "a/ctrl/ctrl.go" {
		t.Errorf("want exit 1 and a/ctrl/ctrl.go listed\n%v", r)
	}
}

func summaryRow(t *testing.T, r cliRun, name string) []string {
	t.Helper()
	for _, line := range strings.Split(r.stderr, "\n") {
		if f := strings.Fields(line); len(f) == 12 && f[0] == name {
			return f
		}
	}
	t.Fatalf("no summary row for %s\n%v", name, r)
	return nil
}

func TestModulesWrite(t *testing.T) {
	root := fleetTree(t)
	os.RemoveAll(filepath.Join(root, "broken"))
	queuefixIn(root, "-modules", "-w", ".").expect(t, exitClean, []string{""}, []string{"queuefix: 3 modules"})
	queuefixIn(root, "-modules", "-check", ".").expect(t, exitClean, []string{""}, []string{"queuefix: 3 modules"})
}

func TestModulesNone(t *testing.T) {
	queuefixIn(t.TempDir(), "-modules", ".").expect(t, exitError, []string{""}, []string{"no Go module below ."})
}

func gitApplyCheck(t *testing.T, dir, diff string) {
	t.Helper()
	c := exec.Command("git", "apply", "--check", "-")
	c.Dir = dir
	c.Stdin = strings.NewReader(diff)
	if out, err := c.CombinedOutput(); err != nil {
		t.Errorf("git apply --check in %s: %v\n%s", dir, err, out)
	}
}

func TestReport(t *testing.T) {
	dir := newModule(t, map[string]string{"ctrl/ctrl.go": leaky, "mixed/mixed.go": inPackage(mixed, "mixed")})
	report := filepath.Join(t.TempDir(), "pr.md")
	r := queuefixIn(dir, "-diff", "-report", report)
	if r.code != exitPending {
		t.Fatalf("exit %d, want 1\n%v", r.code, r)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"## Fix client-go work queue rate limiting",
		"**2 files changed: 1 rewrite of `AddRateLimited` to `Add` in event handlers, 2 `Forget` insertions in workers. 1 finding needs a human.**",
		"#### `ctrl/ctrl.go`",
		"- line 18: `AddRateLimited → Add`. Reached from the event handler: `cache.ResourceEventHandlerFuncs.AddFunc` (ctrl/ctrl.go:14)",
		"- line 30: `insert c.queue.Forget(item)`. Success path: `c.queue.Get` (ctrl/ctrl.go:21)",
		"1 other `AddRateLimited` call was checked and kept as it is.",
		"```diff\ndiff --git a/ctrl/ctrl.go b/ctrl/ctrl.go",
		"### Needs a human",
		"- `mixed/mixed.go:18`: c.queue.AddRateLimited in mixed.(*C).enqueue is reached from an event handler and also from mixed.(*C).process",
		"and also from: ",
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("report lacks %q\n--- report:\n%s", want, data)
		}
	}
}

func TestReportUnwritable(t *testing.T) {
	dir := newModule(t, map[string]string{"ctrl/ctrl.go": leaky})
	r := queuefixIn(dir, "-report", filepath.Join(dir, "missing-dir", "pr.md"))
	r.expect(t, exitError, nil, []string{"-report:"})
}

// sarifDoc is the part of a SARIF log the test reads.
type sarifDoc struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name  string `json:"name"`
				Rules []struct {
					ID string `json:"id"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			Kind      string `json:"kind"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
			CodeFlows  []json.RawMessage `json:"codeFlows"`
			Properties struct {
				Tags []string `json:"tags"`
			} `json:"properties"`
			Fixes []struct {
				ArtifactChanges []struct {
					Replacements []struct {
						DeletedRegion struct {
							StartLine, StartColumn, EndLine, EndColumn int
						} `json:"deletedRegion"`
						InsertedContent struct {
							Text string `json:"text"`
						} `json:"insertedContent"`
					} `json:"replacements"`
				} `json:"artifactChanges"`
			} `json:"fixes"`
		} `json:"results"`
	} `json:"runs"`
}

func TestSARIF(t *testing.T) {
	dir := newModule(t, map[string]string{"ctrl/ctrl.go": leaky, "mixed/mixed.go": inPackage(mixed, "mixed")})
	r := queuefixIn(dir, "-format", "sarif")
	var doc sarifDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%v", err, r)
	}
	if doc.Version != "2.1.0" || len(doc.Runs) != 1 || doc.Runs[0].Tool.Driver.Name != "queuefix" {
		t.Fatalf("not a queuefix SARIF 2.1.0 log\n%v", r)
	}
	var got []string
	for _, res := range doc.Runs[0].Results {
		loc := res.Locations[0].PhysicalLocation
		kind := res.Kind
		if slices.Contains(res.Properties.Tags, "needs-review") {
			kind = "review" // kind fail, which code scanning shows
		}
		got = append(got, res.RuleID+" "+kind+" "+loc.ArtifactLocation.URI)
		if len(res.CodeFlows) == 0 {
			t.Errorf("result %s %s has no code flow", res.RuleID, loc.ArtifactLocation.URI)
		}
		if (kind == "fail") != (len(res.Fixes) == 1) {
			t.Errorf("result %s %s: kind %s with %d fixes", res.RuleID, loc.ArtifactLocation.URI, kind, len(res.Fixes))
		}
	}
	want := []string{
		"addratelimited fail ctrl/ctrl.go",
		"forget fail ctrl/ctrl.go",
		"addratelimited review mixed/mixed.go",
		"forget fail mixed/mixed.go",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("results:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	rep := doc.Runs[0].Results[0].Fixes[0].ArtifactChanges[0].Replacements[0]
	if rep.InsertedContent.Text != "Add" || rep.DeletedRegion.StartLine != 18 || rep.DeletedRegion.EndLine != 18 ||
		rep.DeletedRegion.EndColumn-rep.DeletedRegion.StartColumn != len("AddRateLimited") {
		t.Errorf("the first fix does not replace AddRateLimited on line 18 with Add: %+v", rep)
	}
	if r.code != exitClean {
		t.Errorf("exit %d, want 0: machine formats exit 0 unless something failed", r.code)
	}
}

func TestFormatFlag(t *testing.T) {
	queuefix("-format", "xml").expect(t, exitError, []string{""}, []string{"-format xml: want text, json or sarif"})
	queuefix("-format", "sarif", "-diff").expect(t, exitError, []string{""}, []string{"exclusive"})
	dir := newModule(t, map[string]string{"ctrl/ctrl.go": leaky})
	a, b := queuefixIn(dir, "-json"), queuefixIn(dir, "-format", "json")
	if a.stdout != b.stdout || a.code != b.code {
		t.Errorf("-format json differs from -json\n%v\n%v", a, b)
	}
}

func TestCheckAlias(t *testing.T) {
	dir := newModule(t, map[string]string{"ctrl/ctrl.go": leaky})
	check, diff := queuefixIn(dir, "-check"), queuefixIn(dir, "-diff")
	if check.stdout != diff.stdout || check.stderr != diff.stderr || check.code != diff.code {
		t.Errorf("-check differs from -diff\n%v\n%v", check, diff)
	}
	clean := newModule(t, map[string]string{"ctrl/ctrl.go": fixed})
	queuefixIn(clean, "-check").expect(t, exitClean, []string{""}, []string{""})
}

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	p := &progress{w: &buf, start: time.Now().Add(-2 * time.Second), done: make(chan struct{})}
	p.set("loading packages")
	p.draw()
	p.stop()
	if got := buf.String(); !strings.Contains(got, "queuefix: loading packages (2s)") || !strings.HasSuffix(got, "\r\033[K") {
		t.Errorf("progress wrote %q", got)
	}
	var quiet bytes.Buffer
	q := startProgress(&quiet)
	q.set("loading packages")
	q.stop()
	if quiet.Len() != 0 {
		t.Errorf("progress wrote %q to a writer that is not a terminal", quiet.String())
	}
}

// TestWorkspace checks a go.work tree: ./... at its root matches nothing
// (a go command rule), which the message explains; the modules' own
// patterns and -modules work.
func TestWorkspace(t *testing.T) {
	root := t.TempDir()
	for _, m := range []string{"a", "b"} {
		writeTestFile(t, filepath.Join(root, m, "go.mod"), stubGoMod(t, m))
		writeFiles(t, filepath.Join(root, m), map[string]string{"ctrl/ctrl.go": leaky})
	}
	writeTestFile(t, filepath.Join(root, "go.work"), []byte("go 1.22\n\nuse (\n\t./a\n\t./b\n)\n"))
	queuefixIn(root, "-l").expect(t, exitError, []string{""}, []string{"run queuefix -modules ."})
	queuefixIn(root, "-l", "./a/...", "./b/...").expect(t, exitPending, []string{"a/ctrl/ctrl.go\nb/ctrl/ctrl.go\n"}, []string{""})
	queuefixIn(root, "-modules", "-l", ".").expect(t, exitPending, []string{"a/ctrl/ctrl.go\nb/ctrl/ctrl.go\n"}, []string{"queuefix: 2 modules"})
}

// TestReportPriorityQueue: a dropped RateLimited is told apart from a
// rename to Add, in the summary and in the file's list.
func TestReportPriorityQueue(t *testing.T) {
	const handlers = `package ctrl

import (
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/controller/priorityqueue"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
)

var Handlers = handler.Funcs{
	CreateFunc: func(e event.CreateEvent, q workqueue.RateLimitingInterface) {
		if pq, ok := q.(priorityqueue.PriorityQueue); ok {
			pq.AddWithOpts(priorityqueue.AddOpts{RateLimited: true}, e.Object)
			return
		}
		q.AddRateLimited(e.Object)
	},
}
`
	dir := newModule(t, map[string]string{"ctrl/handlers.go": handlers})
	report := filepath.Join(t.TempDir(), "pr.md")
	if r := queuefixIn(dir, "-diff", "-report", report); r.code != exitPending {
		t.Fatalf("exit %d, want 1\n%v", r.code, r)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"**1 file changed: 1 rewrite of `AddRateLimited` to `Add` and 1 `AddWithOpts` call that no longer sets `RateLimited` in event handlers, 0 `Forget` insertions in workers. 0 findings need a human.**",
		"- line 13: `drop RateLimited: true`. Reached from the event handler: `handler.Funcs.CreateFunc` (ctrl/handlers.go:11)",
		"- line 16: `AddRateLimited → Add`.",
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("report lacks %q\n--- report:\n%s", want, data)
		}
	}
}

// typedFleet is a directory of two modules on real client-go for -rule
// typed: a holds 9 edits, b one assertion that leaves it for review.
func typedFleet(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("loads real client-go")
	}
	root := t.TempDir()
	for m, sc := range map[string]string{"a": "typed-string-keys", "b": "typed-runtime-check"} {
		s := loadScenario(t, "../../testdata/scenarios/"+sc+".txtar")
		testfs.CopyTree(t, s.dir, filepath.Join(root, m))
	}
	return root
}

// TestModulesTyped checks the -modules table and the accounting line
// with -rule typed: the typed rule's columns replace the default rules'.
func TestModulesTyped(t *testing.T) {
	root := typedFleet(t)
	r := queuefixIn(root, "-modules", "-rule", "typed", "-l", ".")
	if !strings.Contains(r.stderr, "module  files  typed  edits review   kept errors     time\n") {
		t.Errorf("the table's header is not the typed rule's\n%v", r)
	}
	// files; typed edits: total, made, review, kept; errors
	for name, want := range map[string]string{"a": "a 2 9 9 0 0 0", "b": "b 0 1 0 1 0 0"} {
		if got := strings.Join(tableRow(t, r, name, 8)[:7], " "); got != want {
			t.Errorf("summary row %q, want %q\n%v", got, want, r)
		}
	}
	if !strings.HasSuffix(r.stderr, "\nqueuefix: 10 typed-queue edits: 9 to make, 1 needs review\n") || r.code != exitPending {
		t.Errorf("want exit 1 and the typed accounting line last\n%v", r)
	}
	report := filepath.Join(t.TempDir(), "pr.md")
	w := queuefixIn(root, "-modules", "-rule", "typed", "-w", "-report", report, ".")
	if !strings.HasSuffix(w.stderr, "\nqueuefix: 10 typed-queue edits: 9 made, 1 needs review\n") || w.code != exitPending {
		t.Errorf("-w: want exit 1 (b needs review) and the edits counted as made\n%v", w)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"## Move to client-go's typed work queue\n",
		"**2 files changed: 9 edits to the typed work queue. 1 finding needs a human.**",
		"| module | files | typed edits | need review | load errors |\n|---|---|---|---|---|\n| `a` | 2 | 9 | 0 | 0 |\n| `b` | 0 | 0 | 1 | 0 |\n",
		"- line 11: `RateLimitingInterface → TypedRateLimitingInterface[string]`.\n",
		"- `b/controller.go:16`: workqueue.RateLimitingInterface: asserted at run time",
		"!AddRateLimited` to `Add`",
	} {
		if strings.HasPrefix(want, "!") == strings.Contains(string(data), strings.TrimPrefix(want, "!")) {
			t.Errorf("-report with -rule typed: want %q (a leading ! means absent) in\n%s", want, data)
		}
	}
	again := queuefixIn(root, "-modules", "-rule", "typed", "-l", ".")
	if got := strings.Join(tableRow(t, again, "a", 8)[:7], " "); got != "a 0 0 0 0 0 0" {
		t.Errorf("after -w, row a is %q, want nothing left\n%v", got, again)
	}
}

// tableRow returns the -modules table's row for the module name, which
// has n fields.
func tableRow(t *testing.T, r cliRun, name string, n int) []string {
	t.Helper()
	for _, line := range strings.Split(r.stderr, "\n") {
		if f := strings.Fields(line); len(f) == n && f[0] == name {
			return f
		}
	}
	t.Fatalf("no summary row of %d fields for %s\n%v", n, name, r)
	return nil
}
