package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/queuefix/queuefix/internal/testfs"
	"github.com/queuefix/queuefix/internal/testmain"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/scenarios/*.txtar")

// A scenario is a txtar archive: the comment says what it covers and holds
// an "exit: N" line, and may hold a "flags: -closed ..." line (flags for
// every run), a "module: NAME" line (go.mod and go.sum of
// testdata/matrix/NAME: a real client-go) and a "verbose: true" line; the files are the module (a go.mod
// using the client-go stubs is added when missing); the want.* sections are
// the expectations:
//
//	want.out   stdout of a plain run (planned changes)
//	want.err   stderr of a plain run (findings that need review, then the
//	           accounting line)
//	want.diff  stdout of -diff
//	want.v     stderr of a -v run, with "verbose: true" (kept sites too)
//
// The plain run loads with export data; a run with -load=source must
// print the same bytes and exit the same way (see checkSourceLoad).
// Each scenario also checks that -diff leaves stderr and the exit status as
// a plain run does, that git apply and patch -p1 accept the diff, that -w
// writes exactly the diff, and that a second run on the result type-checks
// and proposes nothing.
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("../../testdata/scenarios/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runScenarioOn(t, sharedScenario(t, file))
		})
	}
}

type scenario struct {
	file    string
	ar      *txtar.Archive
	dir     string
	exit    int
	flags   []string
	verbose bool
	build   bool // go vet ./... after -w (matrix modules)
	updated bool
}

// runScenarioOn runs the scenario's checks. The runs that only read the
// module run in sc.dir, which other tests may read too (sharedScenario):
// -w writes a copy, and the second run and the build check read that.
func runScenarioOn(t *testing.T, sc *scenario) {
	out, errOut, code := runIn(sc.dir, append([]string{"-load=export"}, sc.flags...)...)
	checkSourceLoad(t, sc.dir, out, errOut, code, sc.flags...)
	sc.check(t, "want.out", out)
	sc.check(t, "want.err", errOut)
	if code != sc.exit && !*update {
		t.Errorf("exit status %d, want %d\nstderr:\n%s", code, sc.exit, errOut)
	}
	if sc.verbose {
		_, vErr, _ := runIn(sc.dir, append([]string{"-v", "-load=export"}, sc.flags...)...)
		sc.check(t, "want.v", vErr)
	}
	diff, diffErr, diffCode := runIn(sc.dir, append([]string{"-diff"}, sc.flags...)...)
	sc.check(t, "want.diff", diff)
	if diffErr != errOut || diffCode != code {
		t.Errorf("-diff: exit %d and stderr\n%s\nwant exit %d and the plain run's stderr\n%s", diffCode, diffErr, code, errOut)
	}
	written := sc.dir
	if diff != "" {
		checkApplies(t, sc.dir, diff)
		written = checkWrite(t, sc.dir, diff, sc.flags)
		if sc.build {
			checkBuilds(t, written)
		}
	}
	checkSecondRun(t, written, errOut, sc.flags)
	if sc.updated {
		sc.exit = code
		sc.save(t)
	}
}

// sharedScenarios holds the scenarios sharedScenario wrote, by file.
var sharedScenarios sync.Map // file -> *sharedModule

// A sharedModule is a scenario's module, written once for every test
// that reads it.
type sharedModule struct {
	once    sync.Once
	sc      *scenario // nil if writing it failed or was skipped
	skipped bool
}

// sharedScenario returns the scenario of file with its module in a
// directory that lives as long as the test binary and is the same for
// every test that asks: TestScenarios and TestAnalyzersAgree run queuefix
// and go vet on one copy, so the go command compiles its packages once.
// Callers must not write to sc.dir; the rest of sc is theirs.
func sharedScenario(t *testing.T, file string) *scenario {
	t.Helper()
	v, _ := sharedScenarios.LoadOrStore(file, new(sharedModule))
	m := v.(*sharedModule)
	m.once.Do(func() {
		defer func() { m.skipped = t.Skipped() }()
		dir := filepath.Join(testmain.Shared(), "scenarios", strings.TrimSuffix(filepath.Base(file), ".txtar"))
		m.sc = loadScenarioIn(t, file, dir)
	})
	if m.skipped {
		t.Skip("loads real client-go")
	}
	if m.sc == nil {
		t.Fatalf("%s: writing its module failed in the test that asked first", file)
	}
	sc := *m.sc
	sc.ar = &txtar.Archive{Comment: m.sc.ar.Comment, Files: slices.Clone(m.sc.ar.Files)}
	return &sc
}

// loadScenario returns the scenario of file with its module in a
// directory of the test's own.
func loadScenario(t *testing.T, file string) *scenario {
	return loadScenarioIn(t, file, t.TempDir())
}

func loadScenarioIn(t *testing.T, file, dir string) *scenario {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sc := &scenario{file: file, ar: ar, dir: dir, exit: -1}
	if m := regexp.MustCompile(`(?m)^exit: (\d+)$`).FindSubmatch(ar.Comment); m != nil {
		sc.exit, _ = strconv.Atoi(string(m[1]))
	}
	if m := regexp.MustCompile(`(?m)^flags: (.*)$`).FindSubmatch(ar.Comment); m != nil {
		sc.flags = strings.Fields(string(m[1]))
	}
	sc.verbose = regexp.MustCompile(`(?m)^verbose: true$`).Match(ar.Comment)
	hasMod := false
	if m := regexp.MustCompile(`(?m)^module: (\S+)$`).FindSubmatch(ar.Comment); m != nil {
		if testing.Short() {
			t.Skip("loads real client-go")
		}
		copyMatrixModule(t, string(m[1]), sc.dir, strings.TrimSuffix(filepath.Base(file), ".txtar"))
		hasMod = true
	}
	for _, f := range ar.Files {
		if strings.HasPrefix(f.Name, "want.") {
			continue
		}
		hasMod = hasMod || f.Name == "go.mod"
		writeTestFile(t, filepath.Join(sc.dir, f.Name), f.Data)
	}
	if !hasMod {
		writeTestFile(t, filepath.Join(sc.dir, "go.mod"), stubGoMod(t, filepath.Base(file)))
	}
	return sc
}

// stubGoMod returns a go.mod that resolves client-go, apimachinery and
// controller-runtime to the stubs.
func stubGoMod(t *testing.T, name string) []byte {
	stubs, err := filepath.Abs("../../testdata/stubs")
	if err != nil {
		t.Fatal(err)
	}
	return []byte(fmt.Sprintf(`module example.com/%s

go 1.22

require (
	k8s.io/apimachinery v0.0.0
	k8s.io/client-go v0.0.0
	sigs.k8s.io/controller-runtime v0.0.0
)

replace (
	k8s.io/apimachinery => %[2]s/apimachinery
	k8s.io/client-go => %[2]s/client-go
	sigs.k8s.io/controller-runtime => %[2]s/controller-runtime
)
`, strings.TrimSuffix(name, ".txtar"), stubs))
}

// check compares got with the archive section name (absent means empty).
func (sc *scenario) check(t *testing.T, name, got string) {
	t.Helper()
	want := ""
	for _, f := range sc.ar.Files {
		if f.Name == name {
			want = string(f.Data)
		}
	}
	if got == want {
		return
	}
	if *update {
		sc.set(name, got)
		return
	}
	t.Errorf("%s differs\n--- got:\n%s--- want:\n%s", name, got, want)
}

func (sc *scenario) set(name, data string) {
	sc.updated = true
	for i, f := range sc.ar.Files {
		if f.Name == name {
			if data == "" {
				sc.ar.Files = append(sc.ar.Files[:i], sc.ar.Files[i+1:]...)
				return
			}
			sc.ar.Files[i].Data = []byte(data)
			return
		}
	}
	if data != "" {
		sc.ar.Files = append(sc.ar.Files, txtar.File{Name: name, Data: []byte(data)})
	}
}

func (sc *scenario) save(t *testing.T) {
	re := regexp.MustCompile(`(?m)^exit: -?\d+$`)
	line := fmt.Sprintf("exit: %d", sc.exit)
	if re.Match(sc.ar.Comment) {
		sc.ar.Comment = re.ReplaceAll(sc.ar.Comment, []byte(line))
	} else {
		sc.ar.Comment = append(sc.ar.Comment, []byte(line+"\n")...)
	}
	if err := os.WriteFile(sc.file, txtar.Format(sc.ar), 0o644); err != nil {
		t.Fatal(err)
	}
}

// runIn runs queuefix in dir and returns its output and exit status.
func runIn(dir string, args ...string) (string, string, int) {
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"-C", dir}, args...), &stdout, &stderr)
	return stdout.String(), stderr.String(), code
}

// checkApplies applies the diff to a git copy of dir with git apply and
// with patch -p1, both of which must accept it as is.
func checkApplies(t *testing.T, dir, diff string) {
	t.Helper()
	for _, cmd := range [][]string{
		{"git", "apply", "--check", "-"},
		{"patch", "-p1", "--dry-run", "--fuzz=0", "-s"},
	} {
		if _, err := exec.LookPath(cmd[0]); err != nil {
			t.Fatalf("%s is needed: %v", cmd[0], err)
		}
		copyDir := t.TempDir()
		testfs.CopyTree(t, dir, copyDir)
		c := exec.Command(cmd[0], cmd[1:]...)
		c.Dir = copyDir
		c.Stdin = strings.NewReader(diff)
		if out, err := c.CombinedOutput(); err != nil {
			t.Errorf("%s rejects the diff: %v\n%s\ndiff:\n%s", strings.Join(cmd, " "), err, out, diff)
		}
	}
}

// checkWrite runs -w on a copy and compares it with git apply's result.
// It returns the copy -w wrote.
func checkWrite(t *testing.T, dir, diff string, flags []string) string {
	t.Helper()
	written, applied := t.TempDir(), t.TempDir()
	testfs.CopyTree(t, dir, written)
	testfs.CopyTree(t, dir, applied)
	if _, errOut, code := runIn(written, append([]string{"-w"}, flags...)...); code == exitError {
		t.Fatalf("-w failed: %s", errOut)
	}
	c := exec.Command("git", "apply", "-")
	c.Dir = applied
	c.Stdin = strings.NewReader(diff)
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("git apply: %v\n%s", err, out)
	}
	compareTrees(t, written, applied)
	checkStillGofmt(t, dir, written)
	return written
}

// checkBuilds runs go vet ./... in dir, which holds what -w wrote: it
// compiles the packages and their tests, and links nothing.
func checkBuilds(t *testing.T, dir string) {
	t.Helper()
	c := exec.Command("go", "vet", "./...")
	c.Dir = dir
	if out, err := c.CombinedOutput(); err != nil {
		t.Errorf("after -w, go vet ./... fails: %v\n%s", err, out)
	}
}

// checkStillGofmt reports each Go file that was gofmt-clean in before and
// is not in after: the edits must not be what a gofmt check trips on.
func checkStillGofmt(t *testing.T, before, after string) {
	t.Helper()
	var files []string
	filepath.WalkDir(before, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") {
			files = append(files, path)
		}
		return nil
	})
	for _, old := range files {
		src, err := os.ReadFile(old)
		if err != nil {
			t.Fatal(err)
		}
		if clean, err := format.Source(src); err != nil || !bytes.Equal(clean, src) {
			continue
		}
		rel, _ := filepath.Rel(before, old)
		src, err = os.ReadFile(filepath.Join(after, rel))
		if err != nil {
			t.Fatal(err)
		}
		if clean, err := format.Source(src); err != nil || !bytes.Equal(clean, src) {
			t.Errorf("%s was gofmt-clean and is not after the edits", rel)
		}
	}
}

// checkSecondRun runs queuefix on the result: it must load (so the edits
// type-check), propose nothing, and report the same findings for review.
// The accounting line differs (changed calls are Add now, changed workers
// forget): it must count nothing left to change.
func checkSecondRun(t *testing.T, dir, wantErr string, flags []string) {
	t.Helper()
	out, errOut, code := runIn(dir, append([]string{"-diff"}, flags...)...)
	findings, account := splitAccounting(errOut)
	wantFindings, _ := splitAccounting(wantErr)
	if out != "" || positionless(findings) != positionless(wantFindings) {
		t.Errorf("second run is not clean:\nstdout:\n%s\nstderr:\n%s\nwant stderr:\n%s", out, errOut, wantErr)
	}
	if strings.Contains(account, "to Add") || strings.Contains(account, "Forget to add") || strings.Contains(account, "to make") {
		t.Errorf("second run still has changes to make: %s", account)
	}
	if code == exitError {
		t.Errorf("second run failed (exit 2): %s", errOut)
	}
}

// splitAccounting splits stderr into the findings and the last line,
// the accounting.
func splitAccounting(stderr string) (string, string) {
	body := strings.TrimSuffix(stderr, "\n")
	i := strings.LastIndex(body, "\n")
	if !strings.HasPrefix(body[i+1:], "queuefix: ") {
		return stderr, ""
	}
	return body[:i+1], body[i+1:]
}

// positionless blanks line and column numbers, which edits above a
// finding shift.
func positionless(s string) string {
	s = regexp.MustCompile(`:\d+:\d+`).ReplaceAllString(s, ":L:C")
	return regexp.MustCompile(`\(line \d+\)`).ReplaceAllString(s, "(line L)")
}

func writeTestFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func compareTrees(t *testing.T, got, want string) {
	t.Helper()
	filepath.WalkDir(want, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(want, path)
		w, _ := os.ReadFile(path)
		g, err := os.ReadFile(filepath.Join(got, rel))
		if err != nil || !bytes.Equal(g, w) {
			t.Errorf("-w wrote %s differently from the diff:\n--- got:\n%s\n--- want:\n%s", rel, g, w)
		}
		return nil
	})
}

// copyMatrixModule writes the go.mod, naming module example.com/scenario,
// and go.sum of the matrix module name into dir: a scenario on a real
// client-go version.
func copyMatrixModule(t *testing.T, name, dir, scenario string) {
	t.Helper()
	for _, file := range []string{"go.mod", "go.sum"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "matrix", name, file))
		if err != nil {
			t.Fatal(err)
		}
		if file == "go.mod" {
			_, rest, _ := strings.Cut(string(data), "\n")
			data = []byte("module example.com/" + scenario + "\n" + rest)
		}
		writeTestFile(t, filepath.Join(dir, file), data)
	}
}
