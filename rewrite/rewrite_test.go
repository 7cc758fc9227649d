package rewrite

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// stubModule writes a module resolving client-go to the test stubs.
func stubModule(t *testing.T, files map[string]string) string {
	t.Helper()
	return stubModuleNamed(t, "example.com/m", files)
}

// stubModuleNamed writes the files and a go.mod for module path that
// resolves client-go, apimachinery and controller-runtime to the stubs.
func stubModuleNamed(t *testing.T, path string, files map[string]string) string {
	t.Helper()
	stubs, err := filepath.Abs("../testdata/stubs")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files["go.mod"] = fmt.Sprintf(`module %s

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
`, path, stubs)
	for name, data := range files {
		writeFile(t, filepath.Join(dir, name), data)
	}
	return dir
}

const handlerSrc = `package ctrl

import (
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

func Register(inf cache.SharedIndexInformer, q workqueue.RateLimitingInterface) {
	inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj interface{}) { q.AddRateLimited(obj) },
	})
}
`

func TestRunResult(t *testing.T) {
	dir := stubModule(t, map[string]string{"ctrl/ctrl.go": handlerSrc})
	var phases []string
	res, err := Run(Options{Dir: dir, Tests: true, Load: LoadExport, Progress: func(s string) { phases = append(phases, s) }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 0 || res.Packages != 1 || len(res.Files) != 1 || len(res.Findings) != 1 {
		t.Fatalf("errors %v, %d packages, %d files, %d findings; want 0, 1, 1, 1", res.Errors, res.Packages, len(res.Files), len(res.Findings))
	}
	f := res.Findings[0]
	if f.Status != Change || f.Rule != "addratelimited" || f.Pos.Line != 10 || len(f.Edits) != 1 || f.Edits[0].New != "Add" {
		t.Errorf("finding %+v", f)
	}
	if want := strings.Replace(handlerSrc, "AddRateLimited", "Add", 1); string(res.Files[0].New) != want {
		t.Errorf("new file:\n%s\nwant:\n%s", res.Files[0].New, want)
	}
	if got := strings.Join(phases, "; "); got != "loading packages; building SSA for 1 packages; computing the call graph of 3 functions; checking 1 packages; verifying the edits" {
		t.Errorf("progress: %s", got)
	}
}

func TestRunNothingLoads(t *testing.T) {
	dir := stubModule(t, map[string]string{"ctrl/ctrl.go": "package ctrl\n\nfunc f() { g() }\n"})
	res, err := Run(Options{Dir: dir}, []string{"./..."})
	if err != errNothingLoaded || res == nil || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Errors[0], "undefined: g") {
		t.Fatalf("got %v, %+v; want errNothingLoaded and the type error", err, res)
	}
}

func TestSpliceEdits(t *testing.T) {
	src := []byte("abcdef")
	edits := []Edit{{Offset: 4, End: 5, New: "E"}, {Offset: 1, End: 2, New: "BB"}, {Offset: 1, End: 2, New: "BB"}, {Offset: 3, End: 3, New: "+"}}
	spans := make(map[Edit][2]int)
	got := spliceEdits(src, edits, spans)
	if string(got) != "aBBc+dEf" {
		t.Errorf("spliceEdits = %q, want aBBc+dEf", got)
	}
	want := map[Edit][2]int{{Offset: 1, End: 2, New: "BB"}: {1, 3}, {Offset: 3, End: 3, New: "+"}: {4, 5}, {Offset: 4, End: 5, New: "E"}: {6, 7}}
	if fmt.Sprint(spans) != fmt.Sprint(want) {
		t.Errorf("spans = %v, want %v", spans, want)
	}
}

func TestFileChangedDuringRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.go")
	if err := os.WriteFile(path, []byte("package a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fi := &fileInfo{name: path, size: len("package a\n"), since: time.Now().Add(time.Hour)}
	if fi.err() != nil || string(fi.source()) != "package a\n" {
		t.Fatalf("unchanged file: %v", fi.err())
	}
	resized := &fileInfo{name: path, size: 3, since: time.Now().Add(time.Hour)}
	touched := &fileInfo{name: path, size: len("package a\n"), since: time.Now().Add(-time.Hour)}
	for _, fi := range []*fileInfo{resized, touched} {
		if err := fi.err(); err == nil || !strings.Contains(err.Error(), "changed while queuefix was running") || fi.source() != nil {
			t.Errorf("changed file: err %v, source %q", err, fi.source())
		}
	}
}
