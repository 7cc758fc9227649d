package load

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestProbeChoose checks auto's rule on a listing of 300 dependencies
// and 10 target packages of 10 KB each (100 KB), with a command and a
// test main that never count: source when a quarter of the dependencies
// are cold, or when the stale targets would compile more than 300
// dependencies' worth of source (300 * depBytes = 90,000 bytes).
func TestProbeChoose(t *testing.T) {
	dir := t.TempDir()
	for i := range 10 {
		d := filepath.Join(dir, fmt.Sprint(i))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "a.go"), make([]byte, 10_000), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	listing := func(depStale, tgtStale int) *listing {
		l := &listing{pkgs: []*listed{{ImportPath: "unsafe", DepOnly: true, Stale: true}}}
		for i := range 300 {
			l.pkgs = append(l.pkgs, &listed{ImportPath: fmt.Sprintf("dep/p%d", i), DepOnly: true, Stale: i < depStale})
		}
		for i := range 10 {
			d := filepath.Join(dir, fmt.Sprint(i))
			l.pkgs = append(l.pkgs, &listed{ImportPath: fmt.Sprintf("m/p%d", i), Name: "p", Dir: d, GoFiles: []string{"a.go"}, Stale: i < tgtStale})
		}
		cmd := filepath.Join(dir, "0")
		return &listing{pkgs: append(l.pkgs,
			&listed{ImportPath: "m/cmd", Name: "main", Dir: cmd, GoFiles: []string{"a.go"}, Stale: true},
			&listed{ImportPath: "m/p0.test", Name: "main", Stale: true})}
	}
	for _, c := range []struct {
		depStale, tgtStale int
		source             bool
		why                string
	}{
		{75, 0, true, "75 of 300 dependencies are not in the build cache"},
		{74, 0, false, "226 of 300 dependencies are in the build cache"},
		{0, 0, false, "and so are 10 of 10 target packages"},
		{0, 9, false, "9 of 10 target packages are not, but compiling their 87 KB costs less"},
		{0, 10, true, "10 of 10 target packages are not: compiling their 97 KB costs more than type-checking 300 dependencies"},
	} {
		source, why := listing(c.depStale, c.tgtStale).probe().choose()
		if source != c.source || !strings.Contains(why, c.why) {
			t.Errorf("%d stale dependencies, %d stale targets: got source=%v (%s), want source=%v (%s)", c.depStale, c.tgtStale, source, why, c.source, c.why)
		}
	}
	// A module of commands alone (examples/leaky): no target counts.
	commands := probeOf([]*listed{
		{ImportPath: "dep/p", DepOnly: true},
		{ImportPath: "m", Name: "main", Stale: true},
	})
	if source, why := commands.choose(); source || why != "1 of 1 dependencies are in the build cache" {
		t.Errorf("commands only: got source=%v (%s), want export data, every dependency in the build cache", source, why)
	}
}

func probeOf(pkgs []*listed) probe { return (&listing{pkgs: pkgs}).probe() }

// TestAutoEmbedWarm checks that auto finds a warm graph warm when a
// dependency embeds a file. go list -json with named fields leaves embed
// patterns unresolved unless EmbedFiles is one of them, and then calls
// such a package stale (build ID mismatch) and everything above it too:
// google.golang.org/protobuf's editiondefaults made 264 of the 774
// dependencies of examples/leaky stale, so auto loaded from source.
func TestAutoEmbedWarm(t *testing.T) {
	dir := t.TempDir()
	writeModule(t, dir, map[string]string{
		"go.mod":        "module m\n\ngo 1.22\n",
		"emb/emb.go":    "package emb\n\nimport _ \"embed\"\n\n//go:embed data.txt\nvar Data string\n",
		"emb/data.txt":  "data\n",
		"dep/dep.go":    "package dep\n\nimport \"m/emb\"\n\nfunc Data() string { return emb.Data }\n",
		"target/tgt.go": "package target\n\nimport \"m/dep\"\n\nvar X = dep.Data()\n",
	})
	build := exec.Command("go", "build", "./...")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	_, bad, info, err := Load(Options{Dir: dir, Env: []string{"QUEUEFIX_CACHE=off"}}, []string{"./target"})
	if err != nil || len(bad) > 0 {
		t.Fatalf("load: %v %v", err, bad)
	}
	m := regexp.MustCompile(`^(\d+) of (\d+) dependencies are in the build cache`).FindStringSubmatch(info.Why)
	if info.Mode != Export || m == nil {
		t.Fatalf("auto chose %v: %s; want export data, every dependency in the build cache", info.Mode, info.Why)
	}
	if m[1] != m[2] {
		t.Errorf("auto: %s; want every dependency in the build cache", info.Why)
	}
}
