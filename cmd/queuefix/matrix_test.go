package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/txtar"
)

// TestMatrix runs queuefix on the modules under testdata/matrix, each
// built against a real client-go or controller-runtime version, and checks
// them like scenarios. The expectations of testdata/matrix/NAME live in
// testdata/matrix/NAME.want.txtar (want.out, want.err, want.diff, and the
// exit status and, as in a scenario, a "flags:" line in the comment). The
// module must build and vet clean after -w: the typed rule retypes more
// than the calls it rewrites.
func TestMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("the matrix builds real client-go versions; skipped with -short")
	}
	for _, dir := range matrixModules(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			runScenarioOn(t, matrixScenario(t, dir))
		})
	}
}

func matrixScenario(t *testing.T, dir string) *scenario {
	file := filepath.Join("..", "..", "testdata", "matrix", filepath.Base(dir)+".want.txtar")
	ar := &txtar.Archive{Comment: []byte("Expectations for " + filepath.Base(dir) + "; regenerate with -update and review.\nexit: -1\n")}
	if data, err := os.ReadFile(file); err == nil {
		ar = txtar.Parse(data)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Read where matrixModules put it, as TestEveryCallHasAVerdict and
	// TestAnalyzersAgreeReal read it: the go command compiles its packages
	// once for all three. -w writes a copy.
	sc := &scenario{file: file, ar: ar, dir: abs, exit: -1, build: true}
	if m := regexp.MustCompile(`(?m)^exit: (-?\d+)$`).FindSubmatch(ar.Comment); m != nil {
		sc.exit, _ = strconv.Atoi(string(m[1]))
	}
	if m := regexp.MustCompile(`(?m)^flags: (.*)$`).FindSubmatch(ar.Comment); m != nil {
		sc.flags = strings.Fields(string(m[1]))
	}
	return sc
}

// matrixModules returns the directories that hold the modules of
// testdata/matrix, named as there.
func matrixModules(t *testing.T) []string {
	t.Helper()
	gomods, err := filepath.Glob("../../testdata/matrix/*/go.mod")
	if err != nil || len(gomods) == 0 {
		t.Fatalf("no matrix modules: %v", err)
	}
	var out []string
	for _, gomod := range gomods {
		dir, err := matrixModule(filepath.Dir(gomod))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, dir)
	}
	return out
}

// A matrix module named typed-NAME holds only its go.mod and go.sum: its
// sources are the hand migration testdata/typed/real/NAME, the files of
// before and common at the module root and stub as stub. It is assembled
// once per test process, so that the tests that read one module's -json
// output (runJSON) share it.
var (
	assembled   sync.Map // module name -> func() (string, error)
	matrixRoot  = sync.OnceValues(func() (string, error) { return os.MkdirTemp("", "queuefix-matrix") })
	realCaseDir = filepath.Join("..", "..", "testdata", "typed", "real")
)

// matrixModule returns the directory that holds the module of
// testdata/matrix/NAME: dir itself, or the assembled typed module.
func matrixModule(dir string) (string, error) {
	name := filepath.Base(dir)
	real, ok := strings.CutPrefix(name, "typed-")
	if !ok {
		return dir, nil
	}
	f, _ := assembled.LoadOrStore(name, sync.OnceValues(func() (string, error) { return assemble(dir, filepath.Join(realCaseDir, real)) }))
	return f.(func() (string, error))()
}

// assemble writes the module of matrix directory dir, with the sources of
// the hand-migration case src, into a new directory named as dir.
func assemble(dir, src string) (string, error) {
	root, err := matrixRoot()
	if err != nil {
		return "", err
	}
	to := filepath.Join(root, filepath.Base(dir))
	parts := []struct{ from, to string }{
		{dir, to},
		{filepath.Join(src, "before"), to},
		{filepath.Join(src, "common"), to},
		{filepath.Join(src, "stub"), filepath.Join(to, "stub")},
	}
	for _, p := range parts {
		if err := os.CopyFS(p.to, os.DirFS(p.from)); err != nil {
			return "", fmt.Errorf("assemble matrix module %s from %s: %w", filepath.Base(dir), src, err)
		}
	}
	return to, nil
}

// removeMatrixRoot removes the assembled matrix modules, if any.
func removeMatrixRoot() {
	used := false
	assembled.Range(func(any, any) bool { used = true; return false })
	if root, err := matrixRoot(); used && err == nil {
		os.RemoveAll(root)
	}
}
