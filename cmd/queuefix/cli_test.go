package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/queuefix/queuefix/internal/testfs"
	"github.com/queuefix/queuefix/internal/version"
	"github.com/queuefix/queuefix/rewrite"
)

// The CLI tests build small modules from these sources. leaky has both
// bugs: its informer handler calls AddRateLimited, and its worker never
// forgets a processed item. fixed is what queuefix -w makes of it, and is
// also the correct controller for the clean cases. mixed reaches
// AddRateLimited from the handler and from the worker's retry, which needs
// review, and never forgets.
const leaky = `package ctrl

import (
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

type C struct {
	queue workqueue.RateLimitingInterface
}

func New(inf cache.SharedIndexInformer) *C {
	c := &C{queue: workqueue.NewRateLimitingQueue(workqueue.DefaultControllerRateLimiter())}
	inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: c.enqueue})
	return c
}

func (c *C) enqueue(obj interface{}) { c.queue.AddRateLimited(obj) }

func (c *C) process() bool {
	item, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(item)
	if err := c.sync(item); err != nil {
		c.queue.AddRateLimited(item)
		return true
	}
	return true
}

func (c *C) sync(item interface{}) error { return nil }
`

const fixed = `package ctrl

import (
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

type C struct {
	queue workqueue.RateLimitingInterface
}

func New(inf cache.SharedIndexInformer) *C {
	c := &C{queue: workqueue.NewRateLimitingQueue(workqueue.DefaultControllerRateLimiter())}
	inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: c.enqueue})
	return c
}

func (c *C) enqueue(obj interface{}) { c.queue.Add(obj) }

func (c *C) process() bool {
	item, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(item)
	if err := c.sync(item); err != nil {
		c.queue.AddRateLimited(item)
		return true
	}
	c.queue.Forget(item)
	return true
}

func (c *C) sync(item interface{}) error { return nil }
`

const mixed = `package ctrl

import (
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

type C struct {
	queue workqueue.RateLimitingInterface
}

func New(inf cache.SharedIndexInformer) *C {
	c := &C{queue: workqueue.NewRateLimitingQueue(workqueue.DefaultControllerRateLimiter())}
	inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: c.enqueue})
	return c
}

func (c *C) enqueue(obj interface{}) { c.queue.AddRateLimited(obj) }

func (c *C) process() bool {
	item, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(item)
	if err := c.sync(item); err != nil {
		c.enqueue(item)
		return true
	}
	return true
}

func (c *C) sync(item interface{}) error { return nil }
`

// leakyDiff is queuefix -diff's output for leaky at path.
func leakyDiff(path string) string {
	return strings.ReplaceAll(`diff --git a/P b/P
--- a/P
+++ b/P
@@ -15,7 +15,7 @@
 	return c
 }
 
-func (c *C) enqueue(obj interface{}) { c.queue.AddRateLimited(obj) }
+func (c *C) enqueue(obj interface{}) { c.queue.Add(obj) }
 
 func (c *C) process() bool {
 	item, quit := c.queue.Get()
@@ -27,6 +27,7 @@
 		c.queue.AddRateLimited(item)
 		return true
 	}
+	c.queue.Forget(item)
 	return true
 }
 
`, "P", path)
}

// inPackage renames the package of one of the sources above.
func inPackage(src, name string) string {
	return strings.Replace(src, "package ctrl\n", "package "+name+"\n", 1)
}

// newModule writes files (path: content) and, unless they hold one, a
// go.mod resolving client-go to the stubs, into a new directory.
func newModule(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if _, ok := files["go.mod"]; !ok {
		writeTestFile(t, filepath.Join(dir, "go.mod"), stubGoMod(t, "cli"))
	}
	writeFiles(t, dir, files)
	return dir
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		writeTestFile(t, filepath.Join(dir, name), []byte(data))
	}
}

// twoPackages is a module with the leaky controller in ctrl and in other.
func twoPackages(t *testing.T) string {
	return newModule(t, map[string]string{
		"ctrl/ctrl.go":   leaky,
		"other/other.go": inPackage(leaky, "other"),
	})
}

// A cliRun is one run of queuefix and what it printed.
type cliRun struct {
	args           []string
	stdout, stderr string
	code           int
}

// queuefix runs queuefix with args (no implicit -C).
func queuefix(args ...string) cliRun {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return cliRun{args, stdout.String(), stderr.String(), code}
}

// queuefixIn runs queuefix -C dir with args.
func queuefixIn(dir string, args ...string) cliRun {
	return queuefix(append([]string{"-C", dir}, args...)...)
}

func (r cliRun) String() string {
	return fmt.Sprintf("queuefix %s\nexit %d\n--- stdout:\n%s--- stderr:\n%s", strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// expect checks the exit status and what stdout and stderr contain. Want
// strings starting with "!" must not appear; "" for stdout or stderr
// alone means the stream must be empty.
func (r cliRun) expect(t *testing.T, code int, stdout, stderr []string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit %d, want %d\n%v", r.code, code, r)
	}
	checkStream(t, r, "stdout", r.stdout, stdout)
	checkStream(t, r, "stderr", r.stderr, stderr)
}

// checkStream checks got for each of wants: "" means empty (for stderr:
// nothing but the accounting line), "!s" means without s, else with it.
func checkStream(t *testing.T, r cliRun, name, got string, wants []string) {
	t.Helper()
	body := got
	if name == "stderr" {
		body, _ = splitAccounting(got)
	}
	for _, w := range wants {
		switch {
		case w == "" && body != "":
			t.Errorf("%s is not empty\n%v", name, r)
		case strings.HasPrefix(w, "!") && strings.Contains(got, w[1:]):
			t.Errorf("%s contains %q, want it absent\n%v", name, w[1:], r)
		case w != "" && !strings.HasPrefix(w, "!") && !strings.Contains(got, w):
			t.Errorf("%s lacks %q\n%v", name, w, r)
		}
	}
}

// hashTree returns the content and mode of every file below dir.
func hashTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := os.Lstat(path)
		if err != nil {
			return err
		}
		data, _ := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		sums[rel] = fmt.Sprintf("%v %x", info.Mode(), sha256.Sum256(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

func checkUnchanged(t *testing.T, r cliRun, before, after map[string]string) {
	t.Helper()
	if !reflect.DeepEqual(before, after) {
		t.Errorf("the tree changed:\nbefore: %v\nafter:  %v\n%v", before, after, r)
	}
}

// checkNoTempFiles fails if a temporary file of writeFile is left in dir.
func checkNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".queuefix-") {
			t.Errorf("temporary file left behind: %s", path)
		}
		return nil
	})
}

func checkFile(t *testing.T, path, want string, mode os.FileMode) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s:\n--- got:\n%s--- want:\n%s", path, got, want)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != mode {
		t.Errorf("%s: mode %#o, want %#o", path, info.Mode().Perm(), mode)
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	r := queuefix("-help")
	r.expect(t, exitClean, []string{""}, []string{
		"usage: queuefix [flags] [packages]",
		"Exit status:\n  0  nothing to change",
		"\n  1  changes pending",
		"\n  2  errors",
		"-diff", "-json", "-tags", "-test", "-C dir", "-closed",
		"!%!", // usage is a format: no stray verbs
	})
	for _, rule := range rewrite.Rules {
		if !strings.Contains(r.stderr, "\n  "+string(rule.Name)+" ") || !strings.Contains(r.stderr, rule.Summary) {
			t.Errorf("-help does not list rule %s with its summary\n%v", rule.Name, r)
		}
	}
}

// TestHelpModes checks that -help names every mode flag where it says
// what queuefix prints without one, and every value -format takes.
func TestHelpModes(t *testing.T) {
	t.Parallel()
	r := queuefix("-help")
	_, plain, _ := strings.Cut(r.stderr, "\nWithout ")
	plain, _, _ = strings.Cut(plain, " it prints ")
	for _, mode := range []string{"-diff", "-check", "-l", "-w", "-json", "-format json|sarif"} {
		if !regexp.MustCompile(`(^|[ (])` + regexp.QuoteMeta(mode) + `([,) ]|$)`).MatchString(plain) {
			t.Errorf("-help: the plain mode is %q, which does not name mode %s\n%v", plain, mode, r)
		}
	}
	_, format, _ := strings.Cut(r.stderr, "\n  -format ")
	format, _, _ = strings.Cut(format, "\n  -")
	for _, value := range []string{"text", "json", "sarif"} {
		if !strings.Contains(format, value) {
			t.Errorf("-help: -format says %q, which does not name %s", format, value)
		}
	}
}

func TestFlagErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	writeTestFile(t, file, nil)
	missing := filepath.Join(dir, "missing")
	for _, tc := range []struct {
		args   []string
		stderr []string
	}{
		{[]string{"-bogus"}, []string{"queuefix: flag provided but not defined: -bogus", "queuefix -help", "!usage:"}},
		{[]string{"-test=maybe"}, []string{"invalid boolean value", "-test"}},
		{[]string{"-diff", "-w"}, []string{"exclusive"}},
		{[]string{"-l", "-json"}, []string{"exclusive"}},
		{[]string{"-C", missing}, []string{"-C " + missing + ":", "no such file or directory"}},
		{[]string{"-C", file}, []string{"-C " + file + ": not a directory"}},
		{[]string{"-rule", "bogus"}, []string{`-rule bogus: unknown rule "bogus": want a comma-separated list of addratelimited, forget, done, ignore, typed`}},
		{[]string{"-rule", "forget,"}, []string{`unknown rule ""`}},
	} {
		r := queuefix(tc.args...)
		r.expect(t, exitError, []string{""}, tc.stderr)
		if n := strings.Count(r.stderr, "\n"); n != 1 {
			t.Errorf("stderr has %d lines, want the error alone on 1\n%v", n, r)
		}
	}
}

// TestRuleFlag checks that -rule runs only the rules it names: the
// leaky controller's two fixes come apart, the accounting line counts only
// what ran, and typed, which the default leaves out, runs alone.
func TestRuleFlag(t *testing.T) {
	t.Parallel()
	dir := newModule(t, map[string]string{"ctrl/ctrl.go": leaky})
	addHunk, forgetHunk := "+func (c *C) enqueue(obj interface{}) { c.queue.Add(obj) }", "+\tc.queue.Forget(item)"
	for _, tc := range []struct {
		rule           string
		code           int
		stdout, stderr []string
	}{
		{"", exitPending, []string{leakyDiff("ctrl/ctrl.go")}, []string{"2 AddRateLimited calls: 1 to Add, 1 kept; 1 worker: 1 Forget to add\n", "!typed"}},
		{"addratelimited,forget,done,ignore", exitPending, []string{leakyDiff("ctrl/ctrl.go")}, []string{"2 AddRateLimited calls: 1 to Add, 1 kept; 1 worker: 1 Forget to add\n"}},
		{"addratelimited", exitPending, []string{addHunk, "!" + forgetHunk}, []string{"queuefix: 2 AddRateLimited calls: 1 to Add, 1 kept\n", "!worker"}},
		{"forget", exitPending, []string{forgetHunk, "!" + addHunk}, []string{"queuefix: 1 worker: 1 Forget to add\n", "!AddRateLimited call"}},
		{"forget,forget", exitPending, []string{forgetHunk, "!" + addHunk}, []string{"queuefix: 1 worker: 1 Forget to add\n"}},
		// The stubs are client-go v0.0.0: no typed queue to move to.
		{"typed", exitPending, []string{""}, []string{
			"ctrl/ctrl.go:9:18: typed: workqueue.RateLimitingInterface: client-go v0.0.0 has no typed work queue: upgrade k8s.io/client-go to v0.31.0 or newer; left alone\n",
			"queuefix: 1 typed-queue edit: 1 needs review\n", "!AddRateLimited call", "!worker"}},
	} {
		args := []string{"-diff"}
		if tc.rule != "" {
			args = append(args, "-rule", tc.rule)
		}
		queuefixIn(dir, args...).expect(t, tc.code, tc.stdout, tc.stderr)
	}
}

func TestPatterns(t *testing.T) {
	t.Parallel()
	dir := twoPackages(t)
	writeTestFile(t, filepath.Join(dir, "docs", "README"), []byte("no Go here\n"))
	for _, tc := range []struct {
		args           []string
		code           int
		stdout, stderr []string
	}{
		{[]string{"-l"}, exitPending, []string{"ctrl/ctrl.go\nother/other.go\n"}, []string{""}},
		{[]string{"-l", "./..."}, exitPending, []string{"ctrl/ctrl.go\nother/other.go\n"}, []string{""}},
		{[]string{"-l", "./other/..."}, exitPending, []string{"other/other.go\n", "!ctrl"}, []string{""}},
		{[]string{"-l", "./ctrl"}, exitPending, []string{"ctrl/ctrl.go\n", "!other"}, []string{""}},
		{[]string{"-l", "./nomatch/..."}, exitError, []string{""},
			[]string{"pattern ./nomatch/... matches no packages", "!does not load"}},
		{[]string{"-l", "./ctrl/...", "./nomatch"}, exitError, []string{"ctrl/ctrl.go\n"},
			[]string{"pattern ./nomatch matches no packages", "!does not load"}},
		{[]string{"-l", "./docs"}, exitError, []string{""}, []string{"pattern ./docs matches no packages", "no Go files"}},
		{[]string{"-l", "./docs/..."}, exitError, []string{""}, []string{"./docs/..."}},
	} {
		r := queuefixIn(dir, tc.args...)
		r.expect(t, tc.code, tc.stdout, tc.stderr)
	}
}

func TestDirFlag(t *testing.T) {
	t.Parallel()
	dir := twoPackages(t)
	r := queuefixIn(filepath.Join(dir, "ctrl"), "-diff")
	if want := leakyDiff("ctrl.go"); r.stdout != want || r.code != exitPending {
		t.Errorf("got:\n%v\nwant exit 1 and stdout:\n%s", r, want)
	}
}

func TestTags(t *testing.T) {
	t.Parallel()
	dir := newModule(t, map[string]string{
		"ctrl/doc.go":    "package ctrl\n",
		"ctrl/tagged.go": "//go:build special\n\n" + leaky,
	})
	queuefixIn(dir, "-l").expect(t, exitClean, []string{""}, []string{""})
	queuefixIn(dir, "-l", "-tags", "special").expect(t, exitPending, []string{"ctrl/tagged.go\n"}, []string{""})
	queuefixIn(dir, "-l", "-tags", "other,special").expect(t, exitPending, []string{"ctrl/tagged.go\n"}, []string{""})
}

func TestTestFlag(t *testing.T) {
	t.Parallel()
	dir := newModule(t, map[string]string{
		"ctrl/doc.go":       "package ctrl\n",
		"ctrl/ctrl_test.go": leaky,
	})
	queuefixIn(dir, "-l").expect(t, exitPending, []string{"ctrl/ctrl_test.go\n"}, []string{""})
	queuefixIn(dir, "-diff").expect(t, exitPending, []string{leakyDiff("ctrl/ctrl_test.go")}, []string{""})
	queuefixIn(dir, "-l", "-test=false").expect(t, exitClean, []string{""}, []string{""})
	queuefixIn(dir, "-test=false").expect(t, exitClean, []string{""}, []string{""})
}

// TestVerbose checks that -v prints each frame of each chain on a line of
// its own, as the JSON output lists them, and that without -v no frame
// gets a line.
func TestVerbose(t *testing.T) {
	t.Parallel()
	dir := newModule(t, map[string]string{"ctrl/ctrl.go": mixed})
	out := decodeJSON(t, queuefixIn(dir, "-json"))
	verbose := queuefixIn(dir, "-v")
	plain := queuefixIn(dir)
	all := verbose.stdout + verbose.stderr
	frames := 0
	for _, f := range out.Findings {
		for _, c := range f.Chains {
			if !strings.Contains(all, "\t"+c.Kind+" path:\n") {
				t.Errorf("-v lacks a %q path header\n%v", c.Kind, verbose)
			}
			for _, fr := range c.Frames {
				frames++
				line := fmt.Sprintf("\n\t\t%s:%d:%d: %s\n", fr.File, fr.Line, fr.Column, fr.Func)
				if !strings.Contains(all, line) {
					t.Errorf("-v lacks the frame line %q\n%v", line, verbose)
				}
			}
		}
	}
	if frames < 5 {
		t.Errorf("the fixture has %d frames, want at least 5 to test -v\n%v", frames, verbose)
	}
	if strings.Contains(plain.stdout+plain.stderr, "\t\t") {
		t.Errorf("without -v, frames have lines of their own\n%v", plain)
	}
}

// jsonDoc mirrors the -json output documented in docs/cli.md.
type jsonDoc struct {
	Version  string
	Findings []struct {
		File, Rule, Status, Message, Fix string
		Line, Column                     int
		Chains                           []struct {
			Kind   string
			Frames []struct {
				Func, File   string
				Line, Column int
			}
		}
		Edits []struct {
			File        string
			Offset, End int
			New         string
		}
	}
	Files  []struct{ File, Diff string }
	Errors []struct {
		Package string
		Errors  []string
	}
}

// decodeJSON decodes r's stdout, which must hold one JSON value and
// nothing else.
func decodeJSON(t *testing.T, r cliRun) jsonDoc {
	t.Helper()
	var doc jsonDoc
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%v", err, r)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("stdout holds more than one JSON value\n%v", r)
	}
	return doc
}

func TestJSON(t *testing.T) {
	t.Parallel()
	dir := newModule(t, map[string]string{
		"ctrl/ctrl.go":     leaky,
		"mixed/mixed.go":   inPackage(mixed, "mixed"),
		"broken/broken.go": "package broken\n\nfunc f() int { return \"s\" }\n",
	})
	r := queuefixIn(dir, "-json")
	r.expect(t, exitError, nil, []string{"mixed/mixed.go:18:48: addratelimited:", "package example.com/cli/broken does not load"})
	checkJSONKeys(t, r)
	doc := decodeJSON(t, r)
	if doc.Version != version.String() {
		t.Errorf("-json version %q, want %q", doc.Version, version.String())
	}
	if strings.Contains(r.stdout, dir) {
		t.Errorf("-json prints absolute paths\n%v", r)
	}
	var statuses []string
	for _, f := range doc.Findings {
		statuses = append(statuses, f.File+" "+f.Rule+" "+f.Status)
		if (f.Status == "change") != (len(f.Edits) > 0) || (f.Status == "change") != (f.Fix != "") || len(f.Chains) == 0 {
			t.Errorf("finding %s:%d: status %s with %d edits, fix %q and %d chains\n%v", f.File, f.Line, f.Status, len(f.Edits), f.Fix, len(f.Chains), r)
		}
	}
	want := []string{
		"ctrl/ctrl.go addratelimited change",
		"ctrl/ctrl.go done keep",           // the worker defers Done
		"ctrl/ctrl.go addratelimited keep", // the worker's retry
		"ctrl/ctrl.go forget change",
		"mixed/mixed.go addratelimited review",
		"mixed/mixed.go done keep",
		"mixed/mixed.go forget change",
	}
	if !slices.Equal(statuses, want) {
		t.Errorf("findings:\n%s\nwant:\n%s\n%v", strings.Join(statuses, "\n"), strings.Join(want, "\n"), r)
	}
	if len(doc.Files) != 2 || doc.Files[0].File != "ctrl/ctrl.go" || doc.Files[0].Diff != leakyDiff("ctrl/ctrl.go") {
		t.Errorf("files: %+v\nwant ctrl/ctrl.go with the diff\n%s", doc.Files, leakyDiff("ctrl/ctrl.go"))
	}
	if len(doc.Errors) != 1 || doc.Errors[0].Package != "example.com/cli/broken" ||
		!slices.Contains(doc.Errors[0].Errors, `broken/broken.go:3:23: cannot use "s" (untyped string constant) as int value in return statement`) {
		t.Errorf("errors: %q\nwant example.com/cli/broken with its type error at broken/broken.go:3:23", doc.Errors)
	}
}

// checkJSONKeys checks the key names of every object in -json's output.
func checkJSONKeys(t *testing.T, r cliRun) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%v", err, r)
	}
	want := map[string][]string{
		"":                       {"errors", "files", "findings", "version"},
		"findings":               {"chains", "column", "edits", "file", "fix", "line", "message", "rule", "status"},
		"findings.chains":        {"frames", "kind"},
		"findings.chains.frames": {"column", "file", "func", "line"},
		"findings.edits":         {"end", "file", "new", "offset"},
		"files":                  {"diff", "file"},
		"errors":                 {"errors", "package"},
	}
	seen := map[string]bool{}
	walkJSON(doc, "", func(path string, obj map[string]any) {
		seen[path] = true
		var keys []string
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, want[path]) {
			t.Errorf("-json object at %q has keys %q, want %q", path, keys, want[path])
		}
	})
	for path := range want {
		if !seen[path] {
			t.Errorf("-json output has no object at %q to check\n%v", path, r)
		}
	}
}

// walkJSON calls visit for each object in v with its path of keys.
func walkJSON(v any, path string, visit func(string, map[string]any)) {
	switch v := v.(type) {
	case map[string]any:
		visit(path, v)
		for k, e := range v {
			walkJSON(e, strings.TrimPrefix(path+"."+k, "."), visit)
		}
	case []any:
		for _, e := range v {
			walkJSON(e, path, visit)
		}
	}
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		src   string
		modes map[string]int // flags -> exit status
	}{
		{"clean", fixed, map[string]int{"": 0, "-diff": 0, "-l": 0, "-json": 0, "-w": 0}},
		{"leaky", leaky, map[string]int{"": 1, "-diff": 1, "-l": 1, "-json": 0, "-format sarif": 0}},
		{"broken", leaky + "func broken() { undefined() }\n", map[string]int{"": 2, "-diff": 2, "-l": 2, "-json": 2, "-format sarif": 2, "-w": 2}},
	} {
		dir := newModule(t, map[string]string{"ctrl/ctrl.go": tc.src})
		for flags, code := range tc.modes {
			r := queuefixIn(dir, strings.Fields(flags)...)
			if r.code != code {
				t.Errorf("%s: exit %d, want %d\n%v", tc.name, r.code, code, r)
			}
		}
	}
}

// TestWriteExitCodes checks -w's exit status: 0 when it made every change,
// 1 when findings that need review remain, on the first run and again.
func TestWriteExitCodes(t *testing.T) {
	t.Parallel()
	dir := newModule(t, map[string]string{"ctrl/ctrl.go": leaky})
	queuefixIn(dir, "-w").expect(t, exitClean, []string{""}, []string{""})
	checkFile(t, filepath.Join(dir, "ctrl/ctrl.go"), fixed, 0o644)
	queuefixIn(dir).expect(t, exitClean, []string{""}, []string{""})

	dir = newModule(t, map[string]string{"ctrl/ctrl.go": mixed})
	review := "ctrl/ctrl.go:18:48: addratelimited:"
	queuefixIn(dir, "-w").expect(t, exitPending, []string{""}, []string{review, "!: forget:"})
	queuefixIn(dir, "-w").expect(t, exitPending, []string{""}, []string{review, "!: forget:"})
	queuefixIn(dir, "-diff").expect(t, exitPending, []string{""}, []string{review})
	checkNoTempFiles(t, dir)
}

// TestStreams checks that review findings go to stderr and planned
// changes, diffs and file lists to stdout, in every mode.
func TestStreams(t *testing.T) {
	t.Parallel()
	dir := newModule(t, map[string]string{"ctrl/ctrl.go": mixed})
	review := "ctrl/ctrl.go:18:48: addratelimited:"
	change := "ctrl/ctrl.go:30:2: forget:"
	plain := queuefixIn(dir)
	plain.expect(t, exitPending, []string{change, "!" + review}, []string{review, "!" + change})
	queuefixIn(dir, "-l").expect(t, exitPending, []string{"ctrl/ctrl.go\n"}, []string{review, "!" + change})
	queuefixIn(dir, "-json").expect(t, exitClean, nil, []string{review, "!" + change})

	diff := queuefixIn(dir, "-diff")
	diff.expect(t, exitPending, []string{"diff --git a/ctrl/ctrl.go b/ctrl/ctrl.go\n", "+\tc.queue.Forget(item)\n"}, []string{review})
	if diff.stderr != plain.stderr {
		t.Errorf("-diff stderr differs from the plain run's:\n%v\nwant stderr:\n%s", diff, plain.stderr)
	}
	for _, line := range strings.SplitAfter(diff.stdout, "\n") {
		if line != "" && !isDiffLine(line) {
			t.Errorf("-diff stdout holds a line that is not part of a diff: %q\n%v", line, diff)
		}
	}
}

func isDiffLine(line string) bool {
	for _, prefix := range []string{"diff --git ", "--- ", "+++ ", "@@ ", " ", "+", "-"} {
		if strings.HasPrefix(line, prefix) {
			return true
		}
	}
	return false
}

// TestReadOnlyModes checks that no mode but -w touches a file.
func TestReadOnlyModes(t *testing.T) {
	t.Parallel()
	dir := newModule(t, map[string]string{
		"ctrl/ctrl.go":   leaky,
		"mixed/mixed.go": inPackage(mixed, "mixed"),
	})
	before := hashTree(t, dir)
	for _, flags := range []string{"", "-diff", "-l", "-json", "-format sarif", "-v"} {
		r := queuefixIn(dir, strings.Fields(flags)...)
		want := exitPending
		if flags == "-json" || flags == "-format sarif" {
			want = exitClean // machine formats: the output is the result
		}
		if r.code != want {
			t.Errorf("%s: exit %d, want %d\n%v", flags, r.code, want, r)
		}
		checkUnchanged(t, r, before, hashTree(t, dir))
	}
}

// TestBrokenPackage checks that a package that does not load is named,
// left alone, and does not keep the other package from being fixed.
func TestBrokenPackage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, src string
		stderr    []string
	}{
		{"syntax", "func broken( {\n", []string{"other/other.go:35:14: syntax error: unexpected {"}},
		{"type", "func broken() int { return \"s\" }\n", []string{"other/other.go:35:28: cannot use \"s\""}},
	} {
		dir := newModule(t, map[string]string{
			"ctrl/ctrl.go":         leaky,
			"other/other.go":       inPackage(leaky, "other") + "\n" + tc.src,
			"other/other_test.go":  "package other\n",
			"other/extern_test.go": "package other_test\n",
		})
		wantErr := append(tc.stderr,
			"queuefix: package example.com/cli/other does not load; it was not edited and callers inside it were not considered:\n",
			"!"+dir, "!# example.com", "!dependency failed")
		before := hashTree(t, dir)
		r := queuefixIn(dir, "-diff")
		r.expect(t, exitError, []string{leakyDiff("ctrl/ctrl.go"), "!other"}, wantErr)
		if n := strings.Count(r.stderr, "does not load"); n != 1 {
			t.Errorf("%s: the broken package is reported %d times, want once (its test variant fails the same way)\n%v", tc.name, n, r)
		}
		if n := strings.Count(r.stderr, tc.stderr[0]); n != 1 {
			t.Errorf("%s: the error is reported %d times, want once\n%v", tc.name, n, r)
		}
		checkUnchanged(t, r, before, hashTree(t, dir))

		r = queuefixIn(dir, "-w")
		r.expect(t, exitError, []string{""}, wantErr)
		checkFile(t, filepath.Join(dir, "ctrl/ctrl.go"), fixed, 0o644)
		checkFile(t, filepath.Join(dir, "other/other.go"), inPackage(leaky, "other")+"\n"+tc.src, 0o644)
		checkNoTempFiles(t, dir)
	}
}

// TestMissingModule checks a go.mod requiring a module version that does
// not exist. GOPROXY=off keeps the go command off the network.
func TestMissingModule(t *testing.T) {
	t.Setenv("GOFLAGS", "-mod=mod")
	t.Setenv("GOPROXY", "off")
	gomod := strings.Replace(string(stubGoMod(t, "cli")), "require (\n", "require (\n\texample.com/doesnotexist v1.0.0\n", 1)
	goErr := "example.com/doesnotexist@v1.0.0: module lookup disabled by GOPROXY=off"

	// Before Go 1.17 the go command loads the whole module graph: nothing loads.
	t.Run("go1.16", func(t *testing.T) {
		dir := newModule(t, map[string]string{
			"go.mod":       strings.Replace(gomod, "\ngo 1.22\n", "\ngo 1.16\n", 1),
			"ctrl/ctrl.go": leaky,
		})
		before := hashTree(t, dir)
		r := queuefixIn(dir)
		r.expect(t, exitError, []string{""}, []string{goErr})
		checkUnchanged(t, r, before, hashTree(t, dir))
	})

	// From Go 1.17 on, only the packages that import the module fail.
	t.Run("go1.22", func(t *testing.T) {
		dir := newModule(t, map[string]string{
			"go.mod":         gomod,
			"ctrl/ctrl.go":   leaky,
			"ctrl/dep.go":    "package ctrl\n\nimport _ \"example.com/doesnotexist\"\n",
			"other/other.go": inPackage(leaky, "other"),
		})
		before := hashTree(t, dir)
		r := queuefixIn(dir, "-diff")
		r.expect(t, exitError, []string{leakyDiff("other/other.go"), "!ctrl/"},
			[]string{"package example.com/cli/ctrl does not load", "example.com/doesnotexist"})
		checkUnchanged(t, r, before, hashTree(t, dir))
		if !strings.Contains(r.stderr, "module lookup disabled by GOPROXY=off") {
			t.Errorf("the go command's error for the missing module is not reported\n%v", r)
		}
	})
}

// TestNoGoMod checks a tree without go.mod in module mode.
func TestNoGoMod(t *testing.T) {
	t.Setenv("GO111MODULE", "")
	t.Setenv("GOWORK", "")
	os.Unsetenv("GO111MODULE")
	os.Unsetenv("GOWORK")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"ctrl.go": leaky})
	r := queuefixIn(dir)
	r.expect(t, exitError, []string{""}, []string{"no go.mod found in " + dir, "GO111MODULE=off"})
}

// TestGOPATH checks a GOPATH tree without go.mod, with GO111MODULE=off.
func TestGOPATH(t *testing.T) {
	gopath := t.TempDir()
	t.Setenv("GO111MODULE", "off")
	t.Setenv("GOPATH", gopath)
	testfs.CopyTree(t, "../../testdata/stubs/client-go", filepath.Join(gopath, "src/k8s.io/client-go"))
	testfs.CopyTree(t, "../../testdata/stubs/apimachinery", filepath.Join(gopath, "src/k8s.io/apimachinery"))
	dir := filepath.Join(gopath, "src/example.com/ctrl")
	writeFiles(t, dir, map[string]string{"ctrl.go": leaky})
	queuefixIn(dir, "-diff").expect(t, exitPending, []string{leakyDiff("ctrl.go")}, []string{""})
	queuefixIn(filepath.Join(gopath, "src/example.com"), "-diff").expect(t, exitPending, []string{leakyDiff("ctrl/ctrl.go")}, []string{""})
}

// vendoredGo113 writes a module with go 1.13 whose client-go stubs are
// in vendor/, holding the leaky controller in ctrl.
func vendoredGo113(t *testing.T) string {
	t.Helper()
	dir := newModule(t, map[string]string{
		"go.mod": "module example.com/vendored\n\ngo 1.13\n\nrequire (\n" +
			"\tk8s.io/apimachinery v0.26.0\n\tk8s.io/client-go v0.26.0\n)\n",
		"vendor/modules.txt": "# k8s.io/apimachinery v0.26.0\n## explicit\nk8s.io/apimachinery/pkg/util/wait\n" +
			"# k8s.io/client-go v0.26.0\n## explicit\nk8s.io/client-go/tools/cache\nk8s.io/client-go/util/workqueue\n",
		"ctrl/ctrl.go": leaky,
	})
	testfs.CopyTree(t, "../../testdata/stubs/client-go", filepath.Join(dir, "vendor/k8s.io/client-go"))
	testfs.CopyTree(t, "../../testdata/stubs/apimachinery", filepath.Join(dir, "vendor/k8s.io/apimachinery"))
	os.Remove(filepath.Join(dir, "vendor/k8s.io/client-go/go.mod"))
	os.Remove(filepath.Join(dir, "vendor/k8s.io/apimachinery/go.mod"))
	return dir
}

// TestVendorGo113 checks a vendored module whose go.mod predates Go 1.14,
// where the go command does not use vendor/ unless told -mod=vendor.
func TestVendorGo113(t *testing.T) {
	t.Parallel()
	dir := vendoredGo113(t)

	// The premise: without -mod=vendor the go command looks for the modules.
	cmd := exec.Command("go", "list", "-mod=readonly", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOPROXY=off")
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Fatalf("go list -mod=readonly succeeds in the vendored module, so it tests nothing:\n%s", out)
	}
	queuefixIn(dir, "-diff").expect(t, exitPending, []string{leakyDiff("ctrl/ctrl.go")}, []string{""})
}

// TestWriteRefusals checks that -w refuses a read-only file, names it,
// still writes the other files with their modes, and leaves no temporary
// file behind.
func TestWriteRefusals(t *testing.T) {
	t.Parallel()
	dir := twoPackages(t)
	ro, rw := filepath.Join(dir, "ctrl/ctrl.go"), filepath.Join(dir, "other/other.go")
	if err := os.Chmod(ro, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(rw, 0o600); err != nil {
		t.Fatal(err)
	}
	r := queuefixIn(dir, "-w")
	r.expect(t, exitError, []string{""}, []string{"queuefix: write ctrl/ctrl.go: file is read-only (mode 0444)", "!other"})
	checkFile(t, ro, leaky, 0o444)
	checkFile(t, rw, inPackage(fixed, "other"), 0o600)
	checkNoTempFiles(t, dir)
}

// TestWriteSymlink checks that -w writes through a symbolic link.
func TestWriteSymlink(t *testing.T) {
	t.Parallel()
	dir := newModule(t, map[string]string{"real/ctrl.go.txt": leaky, "ctrl/doc.go": "package ctrl\n"})
	link := filepath.Join(dir, "ctrl/ctrl.go")
	if err := os.Symlink("../real/ctrl.go.txt", link); err != nil {
		t.Skip(err)
	}
	queuefixIn(dir, "-w").expect(t, exitClean, []string{""}, []string{""})
	if info, err := os.Lstat(link); err != nil || info.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("-w replaced the symbolic link %s with a file (%v)", link, err)
	}
	checkFile(t, filepath.Join(dir, "real/ctrl.go.txt"), fixed, 0o644)
	checkNoTempFiles(t, dir)
}

func TestWriteFileChanged(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "ctrl.go")
	writeTestFile(t, path, []byte(leaky+"// edited after the load\n"))
	err := writeFile(rewrite.File{Path: path, Old: []byte(leaky), New: []byte(fixed)})
	if err == nil || !strings.Contains(err.Error(), path+": file changed since queuefix loaded it") {
		t.Errorf("writeFile on a file changed since the load: error %v, want it to name %s and say it changed", err, path)
	}
	checkFile(t, path, leaky+"// edited after the load\n", 0o644)
	checkNoTempFiles(t, dir)
}

func TestWriteFileMissing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "gone.go")
	err := writeFile(rewrite.File{Path: path, Old: []byte(leaky), New: []byte(fixed)})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Errorf("writeFile on a removed file: error %v, want one naming %s that wraps fs.ErrNotExist", err, path)
	}
	if _, err := os.Stat(path); err == nil {
		t.Errorf("writeFile created %s", path)
	}
	checkNoTempFiles(t, dir)
}
