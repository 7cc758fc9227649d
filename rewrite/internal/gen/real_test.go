package gen

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/queuefix/queuefix/internal/testfs"
)

var genReal = flag.String("qf.real", "", "typed migrations by hand under testdata/typed/real: build (check that each case's before and after build) or compare (also run queuefix -rule typed on before and print, site by site, where it agrees with the authors' after)")

// realCases holds published hand migrations: before/ and after/ are the
// authors' files, common/ files both sides need, stub/ stand-ins for
// modules the files import but the migration did not touch.
const realCases = "../../../testdata/typed/real"

// TestTypedReal builds each published migration's before and after on
// the matrix's client-go, and with -qf.real=compare holds queuefix's
// typed migration of before to the authors' after, site by site.
// Opt-in: it builds several modules.
func TestTypedReal(t *testing.T) {
	switch *genReal {
	case "":
		t.Skip("opt-in: -qf.real=build or -qf.real=compare")
	case "build", "compare":
	default:
		t.Fatalf("-qf.real=%q: want build or compare", *genReal)
	}
	names, err := filepath.Glob(filepath.Join(realCases, "*", "README.md"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no cases under %s (%v)", realCases, err)
	}
	var qf string
	if *genReal == "compare" {
		qf = buildQueuefix(t, t.TempDir())
	}
	for _, readme := range names {
		c := filepath.Dir(readme)
		t.Run(filepath.Base(c), func(t *testing.T) {
			before := assembleCase(t, c, "before")
			after := assembleCase(t, c, "after")
			buildCase(t, before, "before")
			buildCase(t, after, "after")
			if qf != "" {
				compareCase(t, qf, c, before)
				return
			}
			logAuthorsSites(t, c)
		})
	}
}

// assembleCase writes one side of a case as a module on the pinned
// client-go and controller-runtime, with the stubs replaced in.
func assembleCase(t *testing.T, c, side string) string {
	dir := t.TempDir()
	testfs.CopyTree(t, filepath.Join(c, side), dir)
	if _, err := os.Stat(filepath.Join(c, "common")); err == nil {
		testfs.CopyTree(t, filepath.Join(c, "common"), dir) // a case may have no common files
	}
	gomod, err := os.ReadFile(filepath.Join(pinned, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(gomod)
	text = "module example.com/real\n" + text[strings.Index(text, "\ngo "):]
	for _, m := range stubModules(t, filepath.Join(c, "stub")) {
		path := modulePath(t, m)
		abs, err := filepath.Abs(filepath.Dir(m))
		if err != nil {
			t.Fatal(err)
		}
		text += fmt.Sprintf("\nrequire %s %s\n\nreplace %s => %s\n", path, stubVersion(path), path, abs)
	}
	gosum, err := os.ReadFile(filepath.Join(pinned, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "go.mod"), []byte(text))
	write(t, filepath.Join(dir, "go.sum"), gosum)
	return dir
}

// stubModules returns the go.mod files under dir.
func stubModules(t *testing.T, dir string) []string {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == "go.mod" {
			out = append(out, path)
		}
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}

// stubVersion is a version the module path allows: vN.0.0 for a /vN path.
func stubVersion(path string) string {
	i := strings.LastIndex(path, "/v")
	if i < 0 || strings.Trim(path[i+2:], "0123456789") != "" || path[i+2:] == "" {
		return "v0.0.0"
	}
	return path[i+1:] + ".0.0"
}

func modulePath(t *testing.T, gomod string) string {
	data, err := os.ReadFile(gomod)
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(data), "\n")
	path, ok := strings.CutPrefix(first, "module ")
	if !ok {
		t.Fatalf("%s: the first line is not a module line", gomod)
	}
	return strings.TrimSpace(path)
}

func write(t *testing.T, path string, data []byte) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// buildCase type-checks a side with its tests (go vet compiles both).
func buildCase(t *testing.T, dir, side string) {
	cmd := exec.Command("go", "vet", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s does not build: %v\n%s", side, err, out)
	}
}

// compareCase runs queuefix -rule typed -w on a copy of before and
// prints each file's sites against the authors' after.
func compareCase(t *testing.T, qf, c, dir string) {
	out := runQueuefix(t, qf, dir, "-w", "./...")
	t.Logf("queuefix -rule typed -w:\n%s", out)
	buildCase(t, dir, "queuefix's migration")
	files := goFiles(t, filepath.Join(c, "before"))
	counts := map[SiteVerdict]int{}
	for _, rel := range files {
		before := read(t, filepath.Join(c, "before", rel))
		authors := read(t, filepath.Join(c, "after", rel))
		ours := read(t, filepath.Join(dir, rel))
		var b strings.Builder
		for _, s := range CompareSites(before, authors, ours) {
			counts[s.Verdict]++
			b.WriteString(s.String())
		}
		t.Logf("%s, site by site:\n%s", rel, b.String())
	}
	t.Logf("%s: %d agree, %d differ, %d missed, %d extra", filepath.Base(c), counts[Agree], counts[Differ], counts[Missed], counts[Extra])
}

// logAuthorsSites prints what the authors changed, site by site: what
// the typed rule must match.
func logAuthorsSites(t *testing.T, c string) {
	for _, rel := range goFiles(t, filepath.Join(c, "before")) {
		before := read(t, filepath.Join(c, "before", rel))
		after := read(t, filepath.Join(c, "after", rel))
		var b strings.Builder
		for _, h := range Hunks(lines(before), lines(after)) {
			fmt.Fprintf(&b, "line %d:\n", h.From+1)
			for _, l := range lines(before)[h.From:h.To] {
				fmt.Fprintf(&b, "    - %s\n", l)
			}
			for _, l := range h.New {
				fmt.Fprintf(&b, "    + %s\n", l)
			}
		}
		t.Logf("%s, the authors' sites:\n%s", rel, b.String())
	}
}

func goFiles(t *testing.T, dir string) []string {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") {
			rel, _ := filepath.Rel(dir, path)
			out = append(out, rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func read(t *testing.T, path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
