package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/queuefix/queuefix/internal/testfs"
)

// fallbackNote matches the line a run prints when a source load gave way
// to export data.
var fallbackNote = regexp.MustCompile(`(?m)^queuefix: (.*: )?no source load \(.*\): loaded with export data\n`)

// checkSourceLoad runs queuefix with -load=source in dir and compares its
// output byte for byte, and its exit status, with an export load's. A
// source load of packages with errors falls back to export data and says
// so in one line of stderr, which is all that may differ; packages
// without errors must really load from source.
func checkSourceLoad(t *testing.T, dir, out, errOut string, code int, flags ...string) {
	t.Helper()
	srcOut, srcErr, srcCode := runIn(dir, append([]string{"-load=source"}, flags...)...)
	fellBack := fallbackNote.MatchString(srcErr)
	if fellBack && code != exitError {
		t.Errorf("-load=source fell back to export data on packages without errors:\n%s", srcErr)
	}
	srcErr = fallbackNote.ReplaceAllString(srcErr, "")
	if srcOut != out || srcErr != errOut || srcCode != code {
		t.Errorf("-load=source differs from -load=export\nexport (exit %d):\n%s%s\nsource (exit %d):\n%s%s", code, out, errOut, srcCode, srcOut, srcErr)
	}
}

// TestLoadModesExample compares the two loads on the example module,
// which builds against the real client-go. It reads the module in place,
// as TestLeakyExample and the JSON runs do: the go command compiles its
// packages once for all of them.
func TestLoadModesExample(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks the real client-go from source; skipped with -short")
	}
	t.Parallel()
	dir, err := filepath.Abs("../../examples/leaky")
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runIn(dir, "-load=export")
	if code != exitPending || !strings.Contains(errOut, "addratelimited:") {
		t.Fatalf("exit %d, want 1 with findings; stderr:\n%s", code, errOut)
	}
	checkSourceLoad(t, dir, out, errOut, code)
}

// TestLoadFallback checks that a source load of a package with type
// errors says on stderr that export data answered, and answers as an
// export load does.
func TestLoadFallback(t *testing.T) {
	t.Parallel()
	dir := newModule(t, map[string]string{
		"ctrl/ctrl.go":   leaky,
		"other/other.go": inPackage(leaky, "other") + "\nfunc broken() int { return \"s\" }\n",
	})
	out, errOut, code := runIn(dir, "-load=export")
	if code != exitError {
		t.Fatalf("exit %d, want 2; stderr:\n%s", code, errOut)
	}
	_, srcErr, _ := runIn(dir, "-load=source")
	if !fallbackNote.MatchString(srcErr) || !strings.Contains(srcErr, "other") {
		t.Errorf("-load=source on a broken package: no fallback note naming it in\n%s", srcErr)
	}
	checkSourceLoad(t, dir, out, errOut, code)
}

// TestLoadVerbose checks that -v names the load that ran and why.
func TestLoadVerbose(t *testing.T) {
	t.Parallel()
	dir := newModule(t, map[string]string{"ctrl/ctrl.go": leaky})
	for mode, want := range map[string]string{
		"source": "queuefix: loaded with source data: -load=source\n",
		"export": "queuefix: loaded with export data: -load=export\n",
		"auto":   "dependencies are",
	} {
		_, errOut, _ := runIn(dir, "-v", "-load="+mode)
		if !strings.Contains(errOut, want) {
			t.Errorf("-v -load=%s: stderr lacks %q:\n%s", mode, want, errOut)
		}
	}
	if _, errOut, code := runIn(dir, "-load=fast"); code != exitError || !strings.Contains(errOut, "want auto, source or export") {
		t.Errorf("-load=fast: exit %d, stderr %q; want 2 and the choices", code, errOut)
	}
}

// TestLoadModeFlagInHelp checks that -help documents -load.
func TestLoadModeFlagInHelp(t *testing.T) {
	var stdout, stderr strings.Builder
	run([]string{"-help"}, &stdout, &stderr)
	if !strings.Contains(stderr.String(), "-load") {
		t.Errorf("-help does not mention -load:\n%s", stderr.String())
	}
}

// TestLoadAutoCold runs -load=auto on an empty build cache, where it must
// stop the export load and type-check from source, and compares it with
// an export load (-v both times: only the line naming the load differs).
// Not parallel: it sets GOCACHE for the process.
func TestLoadAutoCold(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks the standard library from source; skipped with -short")
	}
	dir := newModule(t, map[string]string{"ctrl/ctrl.go": leaky})
	out, errOut, code := runIn(dir, "-v", "-load=export")
	t.Setenv("GOCACHE", t.TempDir())
	coldOut, coldErr, coldCode := runIn(dir, "-v", "-load=auto")
	if !strings.Contains(coldErr, "queuefix: loaded with source data: ") {
		t.Errorf("-load=auto on an empty build cache did not load from source:\n%s", coldErr)
	}
	loadLine := regexp.MustCompile(`(?m)^queuefix: loaded with .*\n`)
	errOut, coldErr = loadLine.ReplaceAllString(errOut, ""), loadLine.ReplaceAllString(coldErr, "")
	if coldOut != out || coldErr != errOut || coldCode != code {
		t.Errorf("cold -load=auto differs from -load=export\nexport (exit %d):\n%s%s\nauto (exit %d):\n%s%s", code, out, errOut, coldCode, coldOut, coldErr)
	}
}

// compareLoads runs queuefix with args in dir with each load and
// compares them (see checkSourceLoad); it returns the export run's exit
// status and stderr.
func compareLoads(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	out, errOut, code := runIn(dir, append([]string{"-load=export"}, args...)...)
	srcOut, srcErr, srcCode := runIn(dir, append([]string{"-load=source"}, args...)...)
	if fallbackNote.MatchString(srcErr) && code != exitError {
		t.Errorf("-load=source %v fell back to export data on packages without errors:\n%s", args, srcErr)
	}
	srcErr = fallbackNote.ReplaceAllString(srcErr, "")
	if srcOut != out || srcErr != errOut || srcCode != code {
		t.Errorf("-load=source %v differs from -load=export\nexport (exit %d):\n%s%s\nsource (exit %d):\n%s%s", args, code, out, errOut, srcCode, srcOut, srcErr)
	}
	return code, errOut
}

// TestLoadModesAgree compares the two loads where the source load must
// do what go list and go/packages do: vendor directories with -mod=vendor,
// workspaces, build tags, and language versions from the go line and from
// //go:build go1.N.
func TestLoadModesAgree(t *testing.T) {
	t.Parallel()
	t.Run("vendor", func(t *testing.T) {
		t.Parallel()
		dir := vendoredGo113(t)
		checkExit(t, exitPending)(compareLoads(t, dir, "-diff"))
	})
	t.Run("workspace", func(t *testing.T) {
		t.Parallel()
		root := t.TempDir()
		for _, m := range []string{"a", "b"} {
			writeTestFile(t, filepath.Join(root, m, "go.mod"), stubGoMod(t, m))
			writeFiles(t, filepath.Join(root, m), map[string]string{"ctrl/ctrl.go": leaky})
		}
		writeTestFile(t, filepath.Join(root, "go.work"), []byte("go 1.22\n\nuse (\n\t./a\n\t./b\n)\n"))
		checkExit(t, exitPending)(compareLoads(t, root, "-diff", "./a/...", "./b/..."))
	})
	t.Run("tags", func(t *testing.T) {
		t.Parallel()
		dir := newModule(t, map[string]string{
			"ctrl/ctrl.go":  "//go:build mytag\n\n" + leaky,
			"other/main.go": "package other\n",
		})
		checkExit(t, exitPending)(compareLoads(t, dir, "-diff", "-tags", "mytag"))
		checkExit(t, exitClean)(compareLoads(t, dir, "-diff"))
	})
	t.Run("go-versions", func(t *testing.T) {
		t.Parallel()
		// The stubs' go line is 1.22; range over a func needs 1.23.
		const rangeFunc = "package ctrl\n\nfunc count(seq func(func(int) bool)) (n int) {\n\tfor i := range seq {\n\t\tn += i\n\t}\n\treturn n\n}\n"
		dir := newModule(t, map[string]string{
			"ctrl/ctrl.go": leaky,
			"ctrl/seq.go":  "//go:build go1.23\n\n" + rangeFunc,
		})
		checkExit(t, exitPending)(compareLoads(t, dir, "-diff"))
		// Without the file's version: an error in both loads (the source
		// load falls back).
		writeTestFile(t, filepath.Join(dir, "ctrl/seq.go"), []byte(rangeFunc))
		checkExit(t, exitError)(compareLoads(t, dir, "-diff"))
	})
}

// TestLoadModesGOPATH compares the two loads in GOPATH mode, and with
// build tags from GOFLAGS. Not parallel: it sets the environment.
func TestLoadModesGOPATH(t *testing.T) {
	gopath := t.TempDir()
	t.Setenv("GO111MODULE", "off")
	t.Setenv("GOPATH", gopath)
	t.Setenv("GOFLAGS", "-tags=mytag")
	testfs.CopyTree(t, "../../testdata/stubs/client-go", filepath.Join(gopath, "src/k8s.io/client-go"))
	testfs.CopyTree(t, "../../testdata/stubs/apimachinery", filepath.Join(gopath, "src/k8s.io/apimachinery"))
	dir := filepath.Join(gopath, "src/example.com/ctrl")
	writeFiles(t, dir, map[string]string{"ctrl.go": "//go:build mytag\n\n" + leaky})
	checkExit(t, exitPending)(compareLoads(t, dir, "-diff"))
}

// checkExit returns a check that an exit status is want.
func checkExit(t *testing.T, want int) func(int, string) {
	return func(got int, stderr string) {
		t.Helper()
		if got != want {
			t.Errorf("exit %d, want %d; stderr:\n%s", got, want, stderr)
		}
	}
}

// TestLoadModeAutoFleet runs -load=auto on two repositories that share
// their dependencies, as a fleet sharing a client-go version does: once
// the first has been built, the second finds the dependencies in the build
// cache but none of its own packages, and must load from source rather
// than have go list -export compile them all. The first, run again, finds
// its packages too and keeps the export load. Both print what an export
// load of the first prints (-v: only the line naming the load differs).
func TestLoadModeAutoFleet(t *testing.T) {
	files := map[string]string{}
	for i := range 40 {
		name := fmt.Sprintf("ctrl%02d", i)
		files[name+"/"+name+".go"] = inPackage(leaky, name)
	}
	first := newModule(t, files)
	out, errOut, code := runIn(first, "-v", "-load=export")
	second := t.TempDir()
	testfs.CopyTree(t, first, second)
	loadLine := regexp.MustCompile(`(?m)^queuefix: loaded with .*\n`)
	for _, c := range []struct{ dir, want string }{
		{first, "queuefix: loaded with export data: "},
		{second, "queuefix: loaded with source data: "},
	} {
		autoOut, autoErr, autoCode := runIn(c.dir, "-v", "-load=auto")
		t.Logf("%s: %s", c.dir, loadLine.FindString(autoErr))
		if !strings.Contains(autoErr, c.want) {
			t.Errorf("-load=auto in %s: stderr lacks %q:\n%s", c.dir, c.want, loadLine.FindString(autoErr))
		}
		if autoOut != out || loadLine.ReplaceAllString(autoErr, "") != loadLine.ReplaceAllString(errOut, "") || autoCode != code {
			t.Errorf("-load=auto in %s differs from -load=export\nexport (exit %d):\n%s%s\nauto (exit %d):\n%s%s", c.dir, code, out, errOut, autoCode, autoOut, autoErr)
		}
	}
}
