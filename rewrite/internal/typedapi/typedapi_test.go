package typedapi

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"strings"
	"testing"

	"golang.org/x/mod/semver"
)

// checkSource type-checks src as the package at path and returns it with
// the objects its identifiers use and define.
func checkSource(t *testing.T, path, src string) (*types.Package, *types.Info) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{}}
	var conf types.Config
	pkg, err := conf.Check(path, fset, []*ast.File{f}, info)
	if err != nil {
		t.Fatalf("check %s: %v\n%s", path, err, src)
	}
	return pkg, info
}

// lookupSrc is a stand-in for the work-queue package: right names of the
// wrong sort, and names that are not deprecated.
const lookupSrc = `package workqueue

type RateLimiter interface{ When(any) }
type Type = struct{}
func NewNamed(name string) {}
func TypedNewDelayingQueue[T comparable]() {}
type TypedInterface[T comparable] interface{}
var Interface int
type X struct{}
func (X) New() {}
func f() { New := 1; _ = New; TypedNewDelayingQueue[string]() }
`

func TestLookup(t *testing.T) {
	for _, tc := range []struct {
		path string
		want map[string]bool // name -> found, for every definition and use of name
	}{
		{Path, map[string]bool{
			"RateLimiter": true, "Type": true, "NewNamed": true, "TypedNewDelayingQueue": true,
			"TypedInterface": false, "Interface": false, "X": false, "New": false, "f": false,
		}},
		{"example.com/m/vendor/" + Path, map[string]bool{"RateLimiter": true, "NewNamed": true}},
		{"example.com/" + Path, map[string]bool{"RateLimiter": false, "NewNamed": false}},
		{"example.com/workqueue", map[string]bool{"RateLimiter": false, "NewNamed": false}},
	} {
		_, info := checkSource(t, tc.path, lookupSrc)
		seen := map[string]bool{}
		for id, obj := range info.Defs {
			checkLookup(t, tc.path, id, obj, tc.want, seen)
		}
		for id, obj := range info.Uses {
			checkLookup(t, tc.path, id, obj, tc.want, seen)
		}
		for name := range tc.want {
			if !seen[name] {
				t.Errorf("%s: no object named %s in the source", tc.path, name)
			}
		}
	}
}

func checkLookup(t *testing.T, path string, id *ast.Ident, obj types.Object, want, seen map[string]bool) {
	w, ok := want[id.Name]
	if obj == nil || !ok {
		return
	}
	seen[id.Name] = true
	e, got := Lookup(obj)
	if got != w || got && e.Name != id.Name {
		t.Errorf("%s: Lookup(%v) = %v, %v; want found %v", path, obj, e, got, w)
	}
}

func TestSupported(t *testing.T) {
	for _, tc := range []struct {
		version string
		wantErr string // "" for supported
	}{
		{"v0.31.0", ""},
		{"v0.31.4", ""},
		{"v0.37.2", ""},
		{"v1.0.0", ""},
		{"v0.30.14", "client-go v0.30.14 has no typed work queue: upgrade k8s.io/client-go to v0.31.0 or newer"},
		{"v0.27.0", "v0.31.0 or newer"},
		{"v0.31.0-alpha.1", "v0.31.0 or newer"},
		{"", "is not a semantic version"},
		{"0.31.0", "is not a semantic version: the typed work queue needs k8s.io/client-go v0.31.0 or newer"},
	} {
		err := Supported(tc.version)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("Supported(%q) = %v, want nil", tc.version, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("Supported(%q) = %v, want an error containing %q", tc.version, err, tc.wantErr)
		}
	}
}

func TestCall(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"NewNamedRateLimitingQueue", []string{"rl", `"nodes"`},
			`workqueue.NewTypedRateLimitingQueueWithConfig(rl, workqueue.TypedRateLimitingQueueConfig[T]{Name: "nodes"})`},
		{"NewRateLimitingQueueWithDelayingInterface", []string{"dq", "rl"},
			`workqueue.NewTypedRateLimitingQueueWithConfig(rl, workqueue.TypedRateLimitingQueueConfig[T]{DelayingQueue: dq})`},
		{"NewDelayingQueueWithCustomClock", []string{"clk", "name"},
			`workqueue.NewTypedDelayingQueueWithConfig(workqueue.TypedDelayingQueueConfig[T]{Name: name, Clock: clk})`},
		{"DefaultControllerRateLimiter", []string{}, `workqueue.DefaultTypedControllerRateLimiter[T]()`},
		{"NewMaxOfRateLimiter", []string{"a", "b"}, `workqueue.NewTypedMaxOfRateLimiter(a, b)`},
	} {
		e := byName[tc.name]
		if got := e.Forms[0].Call("workqueue", "T", tc.args); got != tc.want {
			t.Errorf("%s%v:\ngot  %s\nwant %s", tc.name, tc.args, got, tc.want)
		}
	}
}

func TestFor(t *testing.T) {
	e := byName["NewDelayingQueue"]
	for _, tc := range []struct {
		version, want string // want "" for no form
	}{
		{"v0.30.14", ""},
		{"v0.31.0", "NewTypedDelayingQueueWithConfig"},
		{"v0.31.9", "NewTypedDelayingQueueWithConfig"},
		{"v0.32.0", "NewTypedDelayingQueue"},
		{"v0.37.2", "NewTypedDelayingQueue"},
	} {
		f, ok := e.For(tc.version)
		if got := f.Twin; ok != (tc.want != "") || got != tc.want {
			t.Errorf("For(%q) = %q, %v; want %q", tc.version, got, ok, tc.want)
		}
	}
}

// TestTableShape checks what the data must satisfy whatever client-go
// says: one entry per name, forms in version order, types always
// instantiated explicitly and never given arguments.
func TestTableShape(t *testing.T) {
	if len(byName) != len(Table) {
		t.Errorf("Table has %d entries but %d names: a name is repeated", len(Table), len(byName))
	}
	for _, e := range Table {
		if len(e.Forms) == 0 {
			t.Errorf("%s: no forms", e.Name)
		}
		for i, f := range e.Forms {
			if !semver.IsValid(f.Since) || i > 0 && semver.Compare(e.Forms[i-1].Since, f.Since) >= 0 {
				t.Errorf("%s: form %d Since %q is not a version after the previous form's", e.Name, i, f.Since)
			}
			if e.Kind != Func && (!f.ExplicitT || f.Args != nil) {
				t.Errorf("%s: a type's form must have ExplicitT and no Args: %+v", e.Name, f)
			}
		}
	}
}
