package load

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProbeChoose checks auto's rule on a listing of 300 dependencies and
// 10 target packages of 10 KB each (100 KB): source when the dependencies
// are cold, or when the stale share of the targets would compile more
// than 300 dependencies' worth of source (300 * depBytes = 90,000 bytes).
func TestProbeChoose(t *testing.T) {
	l := &listing{}
	for i := range 300 {
		l.pkgs = append(l.pkgs, &listed{ImportPath: fmt.Sprintf("dep/p%d", i), DepOnly: true})
	}
	dir := t.TempDir()
	for i := range 10 {
		d := filepath.Join(dir, fmt.Sprint(i))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "a.go"), make([]byte, 10_000), 0o644); err != nil {
			t.Fatal(err)
		}
		l.pkgs = append(l.pkgs, &listed{ImportPath: fmt.Sprintf("m/p%d", i), Dir: d, GoFiles: []string{"a.go"}})
	}
	for _, c := range []struct {
		p      probe
		source bool
		why    string
	}{
		{probe{depStale: 3, deps: 12}, true, "3 of 12 sampled dependencies are not in the build cache"},
		{probe{depStale: 2, deps: 12}, false, "10 of 12 sampled dependencies are in the build cache"},
		{probe{deps: 12, tgts: 6}, false, "and so are 6 of 6 sampled target packages"},
		{probe{deps: 12, tgtStale: 5, tgts: 6}, false, "compiling about 81 KB of them costs less"},
		{probe{deps: 12, tgtStale: 6, tgts: 6}, true, "compiling about 97 KB of them costs more than type-checking 300 dependencies"},
	} {
		source, why := c.p.choose(l)
		if source != c.source || !strings.Contains(why, c.why) {
			t.Errorf("%+v: got source=%v (%s), want source=%v (%s)", c.p, source, why, c.source, c.why)
		}
	}
}

// TestSampleTargets checks that the target sample spreads over all the
// targets and leaves out dependencies, commands and test variants.
func TestSampleTargets(t *testing.T) {
	l := &listing{pkgs: []*listed{
		{ImportPath: "fmt", DepOnly: true},
		{ImportPath: "m/cmd", Name: "main"},
		{ImportPath: "m/a", Name: "a"},
		{ImportPath: "m/a [m/a.test]", Name: "a"},
		{ImportPath: "m/a.test", Name: "main"},
		{ImportPath: "m/b", Name: "b"},
		{ImportPath: "m/c", Name: "c"},
		{ImportPath: "m/d", Name: "d"},
	}}
	got := strings.Join(sampleTargets(l, 2), " ")
	if want := "m/a m/c"; got != want {
		t.Errorf("sampleTargets(2) = %q, want %q", got, want)
	}
	got = strings.Join(sampleTargets(l, 6), " ")
	if want := "m/a m/b m/c m/d"; got != want {
		t.Errorf("sampleTargets(6) = %q, want %q", got, want)
	}
}
