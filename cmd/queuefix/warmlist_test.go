package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/queuefix/queuefix/internal/testfs"
	"golang.org/x/tools/txtar"
)

// loadLine matches the line -v prints about the load.
var loadLine = regexp.MustCompile(`(?m)^queuefix: loaded with .*\n`)

const savedLine = "queuefix: loaded with export data: the listing of the last export load, nothing changed since\n"

// checkWarmListing runs queuefix -diff in dir with -load=export, which
// leaves the warm stamp, then three times as a developer does, with the
// one QUEUEFIX_CACHE of the test binary: the first warm run lists and
// saves its listing, the next two load from it, the second with -v to
// show it. Each prints byte for byte what the export load printed, -v's
// line about the load aside.
func checkWarmListing(t *testing.T, dir string, flags ...string) {
	t.Helper()
	args := append([]string{"-diff"}, flags...)
	out, errOut, code := runIn(dir, append([]string{"-load=export"}, args...)...)
	_, vErr, _ := runIn(dir, append([]string{"-v", "-load=export"}, args...)...)
	for i, v := range []bool{false, true, false} {
		runArgs := args
		if v {
			runArgs = append([]string{"-v"}, args...)
		}
		gotOut, gotErr, gotCode := runIn(dir, runArgs...)
		wantErr := errOut
		if v {
			if line := loadLine.FindString(gotErr); line != savedLine {
				t.Errorf("warm run %d: -v says\n%swant\n%s", i+1, line, savedLine)
			}
			gotErr, wantErr = loadLine.ReplaceAllString(gotErr, ""), loadLine.ReplaceAllString(vErr, "")
		}
		if gotOut != out || gotErr != wantErr || gotCode != code {
			t.Errorf("warm run %d (%s) differs from the export load\nexport (exit %d):\n%s%s\nwarm (exit %d):\n%s%s",
				i+1, strings.Join(runArgs, " "), code, out, wantErr, gotCode, gotOut, gotErr)
		}
	}
}

// TestWarmListingScenario runs a scenario's module, with its internal
// and an external test package, and the client-go stubs inside the
// module where the stamp fingerprints them.
func TestWarmListingScenario(t *testing.T) {
	t.Parallel()
	dir := scenarioModuleInside(t, "../../testdata/scenarios/shared-helper.txtar")
	checkWarmListing(t, dir)
}

// TestWarmListingReplaceOutside checks that the listing of a module
// with a replace to a directory outside it (the stubs, as scenarios
// have them) is never kept, and that the output is the same.
func TestWarmListingReplaceOutside(t *testing.T) {
	t.Parallel()
	sc := loadScenario(t, "../../testdata/scenarios/shared-helper.txtar")
	out, errOut, code := runIn(sc.dir, "-diff", "-load=export")
	for i := range 2 {
		_, vErr, _ := runIn(sc.dir, "-diff", "-v")
		line := loadLine.FindString(vErr)
		if !strings.Contains(line, "the listing is not kept: ") || !strings.Contains(line, "outside the module") {
			t.Errorf("warm run %d: -v says\n%swant the listing not kept, a package being outside the module", i+1, line)
		}
		if gotOut, gotErr, gotCode := runIn(sc.dir, "-diff"); gotOut != out || gotErr != errOut || gotCode != code {
			t.Errorf("warm run %d differs from the export load\nexport (exit %d):\n%s%s\nwarm (exit %d):\n%s%s", i+1, code, out, errOut, gotCode, gotOut, gotErr)
		}
	}
}

// scenarioModuleInside writes a scenario's files into a module that
// holds copies of the stubs and replaces client-go with them.
func scenarioModuleInside(t *testing.T, file string) string {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range ar.Files {
		if !strings.HasPrefix(f.Name, "want.") {
			writeTestFile(t, filepath.Join(dir, f.Name), f.Data)
		}
	}
	writeTestFile(t, filepath.Join(dir, "external_test.go"), []byte(`package ctrl_test

import (
	"testing"

	ctrl "example.com/inside"
)

func TestNew(t *testing.T) { _ = ctrl.New }
`))
	testfs.CopyTree(t, "../../testdata/stubs", filepath.Join(dir, "stubs"))
	writeTestFile(t, filepath.Join(dir, "go.mod"), []byte(`module example.com/inside

go 1.22

require (
	k8s.io/apimachinery v0.0.0
	k8s.io/client-go v0.0.0
	sigs.k8s.io/controller-runtime v0.0.0
)

replace (
	k8s.io/apimachinery => ./stubs/apimachinery
	k8s.io/client-go => ./stubs/client-go
	sigs.k8s.io/controller-runtime => ./stubs/controller-runtime
)
`))
	return dir
}

// TestWarmListingMatrix runs every matrix module (real client-go and
// controller-runtime versions) with its flags.
func TestWarmListingMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("the matrix builds real client-go versions; skipped with -short")
	}
	for _, dir := range matrixModules(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			sc := matrixScenario(t, dir)
			checkWarmListing(t, sc.dir, sc.flags...)
		})
	}
}

// TestWarmListingLeaky runs examples/leaky.
func TestWarmListingLeaky(t *testing.T) {
	if testing.Short() {
		t.Skip("examples/leaky builds real client-go; skipped with -short")
	}
	t.Parallel()
	dir := t.TempDir()
	testfs.CopyTree(t, "../../examples/leaky", dir)
	checkWarmListing(t, dir)
}
