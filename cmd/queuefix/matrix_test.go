package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
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
	dirs, err := filepath.Glob("../../testdata/matrix/*/go.mod")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no matrix modules: %v", err)
	}
	for _, gomod := range dirs {
		dir := filepath.Dir(gomod)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			runScenarioOn(t, matrixScenario(t, dir))
		})
	}
}

func matrixScenario(t *testing.T, dir string) *scenario {
	file := dir + ".want.txtar"
	ar := &txtar.Archive{Comment: []byte("Expectations for " + filepath.Base(dir) + "; regenerate with -update and review.\nexit: -1\n")}
	if data, err := os.ReadFile(file); err == nil {
		ar = txtar.Parse(data)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Read in place, as TestEveryCallHasAVerdict and TestAnalyzersAgreeReal
	// read it: the go command compiles its packages once for all three.
	sc := &scenario{file: file, ar: ar, dir: abs, exit: -1, build: true}
	if m := regexp.MustCompile(`(?m)^exit: (-?\d+)$`).FindSubmatch(ar.Comment); m != nil {
		sc.exit, _ = strconv.Atoi(string(m[1]))
	}
	if m := regexp.MustCompile(`(?m)^flags: (.*)$`).FindSubmatch(ar.Comment); m != nil {
		sc.flags = strings.Fields(string(m[1]))
	}
	return sc
}
