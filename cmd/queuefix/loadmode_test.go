package main

import (
	"regexp"
	"strings"
	"testing"
)

// fallbackNote matches the line a run prints when a source load gave way
// to export data.
var fallbackNote = regexp.MustCompile(`(?m)^queuefix: (.*: )?no source load \(.*\): loaded with export data\n`)

// checkSourceLoad runs queuefix with -load=source in dir and compares its
// output byte for byte, and its exit status, with an export load's. A
// source load of packages with errors falls back to export data and says
// so in one line of stderr, which is all that may differ; packages
// without errors must really load from source.
func checkSourceLoad(t *testing.T, dir, out, errOut string, code int) {
	t.Helper()
	srcOut, srcErr, srcCode := runIn(dir, "-load=source")
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
// which builds against the real client-go.
func TestLoadModesExample(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks the real client-go from source; skipped with -short")
	}
	t.Parallel()
	dir := t.TempDir()
	copyTree(t, "../../examples/leaky", dir)
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
