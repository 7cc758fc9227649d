package rewrite

import (
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// TestScenarios runs the txtar archives of testdata/scenarios through Run
// directly, as analysistest runs an analyzer on its testdata: the planned
// files must make want.diff byte for byte, and the findings must be those
// want.out (changes), want.err (review) and, for a "verbose: true"
// archive, want.v (review, kept and ignored) show, with their chains.
// cmd/queuefix runs the same archives through the CLI and adds the exit
// status, -w, git apply, patch and the second run.
func TestScenarios(t *testing.T) {
	eachScenario(t, runScenario)
}

// eachScenario writes each archive of testdata/scenarios into a module of
// its own and calls run on it, in parallel subtests.
func eachScenario(t *testing.T, run func(t *testing.T, ar *txtar.Archive, dir string)) {
	files, err := filepath.Glob("../testdata/scenarios/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			run(t, ar, writeScenario(t, ar, "example.com/"+name))
		})
	}
}

func runScenario(t *testing.T, ar *txtar.Archive, dir string) {
	opts := scenarioOptions(t, ar)
	opts.Dir = dir
	res, err := Run(opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) > 0 {
		t.Errorf("load errors: %v", res.Errors)
	}
	f := findingText{dir: dir}
	check(t, ar, "want.diff", f.diffs(res.Files))
	check(t, ar, "want.out", f.findings(res.Findings, false, Change))
	check(t, ar, "want.err", f.findings(res.Findings, false, Review))
	if regexp.MustCompile(`(?m)^verbose: true$`).Match(ar.Comment) {
		check(t, ar, "want.v", f.findings(res.Findings, true, Review, Keep, Ignored))
	}
}

// writeScenario writes the archive's module into a temporary directory,
// with a go.mod for module path resolving the client-go stubs when it has
// none (as cmd/queuefix's scenario test does).
func writeScenario(t *testing.T, ar *txtar.Archive, path string) string {
	files := make(map[string]string)
	for _, f := range ar.Files {
		if !strings.HasPrefix(f.Name, "want.") {
			files[f.Name] = string(f.Data)
		}
	}
	if m := regexp.MustCompile(`(?m)^module: (\S+)$`).FindSubmatch(ar.Comment); m != nil {
		if testing.Short() {
			t.Skip("loads real client-go")
		}
		files["go.mod"], files["go.sum"] = matrixModule(t, string(m[1]), path)
	}
	if _, ok := files["go.mod"]; ok {
		dir := t.TempDir()
		for name, data := range files {
			writeFile(t, filepath.Join(dir, name), data)
		}
		return dir
	}
	return stubModuleNamed(t, path, files)
}

// check compares got with the archive's section name, without the CLI's
// own lines in want.err and want.v (how it loaded, the accounting).
func check(t *testing.T, ar *txtar.Archive, name, got string) {
	t.Helper()
	want := ""
	for _, f := range ar.Files {
		if f.Name == name {
			want = string(f.Data)
		}
	}
	if name == "want.err" || name == "want.v" {
		want = withoutCLILines(want)
	}
	if got != want {
		t.Errorf("%s differs\n--- got:\n%s--- want:\n%s", name, got, want)
	}
}

// withoutCLILines drops the lines that start with "queuefix: ": the CLI
// prints them, no finding does.
func withoutCLILines(s string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(s, "\n") {
		if !strings.HasPrefix(line, "queuefix: ") {
			b.WriteString(line)
		}
	}
	return b.String()
}

// findingText renders a result as the CLI prints it in dir.
type findingText struct{ dir string }

func (ft findingText) diffs(files []File) string {
	var b strings.Builder
	for _, f := range files {
		b.Write(f.Diff(filepath.ToSlash(ft.file(f.Path))))
	}
	return b.String()
}

// findings prints the findings with one of the statuses as
// "file:line:col: rule: message" with their chains, on one line each or,
// verbose, a frame per line.
func (ft findingText) findings(fs []Finding, verbose bool, statuses ...Status) string {
	var b strings.Builder
	for _, f := range fs {
		if !hasStatus(f, statuses) {
			continue
		}
		fmt.Fprintf(&b, "%s: %s: %s\n", ft.pos(f.Pos), f.Rule, f.Text(ft.file))
		for _, c := range f.Chains {
			if verbose {
				fmt.Fprintf(&b, "\t%s path:\n", c.Kind)
				for _, fr := range c.Frames {
					fmt.Fprintf(&b, "\t\t%s: %s\n", ft.pos(fr.Pos), fr.Func)
				}
				continue
			}
			var parts []string
			for i, fr := range c.Frames {
				if i == 0 {
					parts = append(parts, fmt.Sprintf("%s (%s)", fr.Func, ft.pos(fr.Pos)))
					continue
				}
				parts = append(parts, fr.Func)
			}
			fmt.Fprintf(&b, "\t%s path: %s\n", c.Kind, strings.Join(parts, " -> "))
		}
	}
	return b.String()
}

func hasStatus(f Finding, statuses []Status) bool {
	for _, s := range statuses {
		if f.Status == s {
			return true
		}
	}
	return false
}

// file spells a path below the scenario's directory relative to it.
func (ft findingText) file(path string) string {
	if r, err := filepath.Rel(ft.dir, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}

// pos spells a position with its file as file does.
func (ft findingText) pos(pos token.Position) string {
	pos.Filename = ft.file(pos.Filename)
	return pos.String()
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// matrixModule returns the go.mod, renamed to path, and go.sum of the
// matrix module name: a scenario on a real client-go version.
func matrixModule(t *testing.T, name, path string) (string, string) {
	dir := filepath.Join("..", "testdata", "matrix", name)
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(dir, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(mod), "\n")
	return "module " + path + "\n" + rest, string(sum)
}
