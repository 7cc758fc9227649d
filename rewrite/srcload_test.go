package rewrite

import (
	"reflect"
	"testing"
)

// TestSourceLoad runs the engine on a source load and on an export load
// of the same module and compares the findings and files; under -race it
// also checks the parallel type-checking.
func TestSourceLoad(t *testing.T) {
	dir := stubModule(t, map[string]string{"ctrl/ctrl.go": handlerSrc, "ctrl/ctrl_test.go": "package ctrl\n"})
	exp, err := Run(Options{Dir: dir, Tests: true, Load: LoadExport}, nil)
	if err != nil {
		t.Fatal(err)
	}
	src, err := Run(Options{Dir: dir, Tests: true, Load: LoadSource}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if src.Load.Mode != LoadSource || src.Load.Fallback {
		t.Fatalf("source load: %+v, want a source load without fallback", src.Load)
	}
	if src.Packages != exp.Packages || !reflect.DeepEqual(public(src), public(exp)) {
		t.Errorf("source load: %d packages, findings %+v\nexport load: %d packages, findings %+v", src.Packages, src.Findings, exp.Packages, exp.Findings)
	}
}

// public returns a result's findings and files without what refers to
// one load's objects (the checks' packages and positions).
func public(r *Result) []any {
	var out []any
	for _, f := range r.Findings {
		f.checks = nil
		out = append(out, f)
	}
	for _, f := range r.Files {
		out = append(out, f.Path, string(f.Old), string(f.New))
	}
	return out
}
