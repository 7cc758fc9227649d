package reach

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/go/callgraph"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/ssa/ssautil"
)

const src = `package p

type handlers struct{ add func(obj interface{}) }

type ctrl struct {
	enqueueFn func(obj interface{})
	h         handlers
}

func (c *ctrl) enqueue(obj interface{}) { sink(obj) }
func (c *ctrl) retry(obj interface{})   { c.enqueue(obj) }

func sink(obj interface{}) {}

func build(add func(obj interface{})) handlers { return handlers{add: add} }

func factory(c *ctrl) func(obj interface{}) {
	return func(obj interface{}) { c.enqueue(obj) }
}

func setup(c *ctrl) {
	c.enqueueFn = c.enqueue
	c.h = build(factory(c))
	var local func(obj interface{})
	local = func(obj interface{}) { sink(obj) }
	c.h.add = local
}

func run(c *ctrl) {
	c.enqueueFn(1)
	c.h.add(2)
	c.retry(3)
}
`

// load builds SSA for src and returns its functions by name.
func load(t *testing.T) (*Graph, map[string]*ssa.Function) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	conf := &types.Config{Importer: importer.Default()}
	pkg, _, err := ssautil.BuildPackage(conf, fset, types.NewPackage("p", "p"), []*ast.File{f}, ssa.InstantiateGenerics)
	if err != nil {
		t.Fatal(err)
	}
	funcs := make(map[*ssa.Function]bool)
	byName := make(map[string]*ssa.Function)
	for fn := range ssautil.AllFunctions(pkg.Prog) {
		if fn.Pkg == pkg || fn.Synthetic != "" {
			funcs[fn] = true
			byName[fn.RelString(pkg.Pkg)] = fn
		}
	}
	return NewGraph(funcs), byName
}

func TestFlowFuncs(t *testing.T) {
	g, fns := load(t)
	flow := NewFlow(g)
	run := fns["run"]
	var got []string
	for _, b := range run.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok || call.Common().StaticCallee() != nil {
				continue
			}
			var names []string
			for fn := range flow.Funcs(call.Common().Value) {
				names = append(names, fn.RelString(run.Pkg.Pkg))
			}
			sort.Strings(names)
			got = append(got, strings.Join(names, ","))
		}
	}
	// c.enqueueFn holds the bound method value; c.h.add holds the factory's
	// closure (through build's parameter and the struct it returns) and the
	// local closure stored later.
	want := []string{"(*ctrl).enqueue$bound", "factory$1,setup$1"}
	if strings.Join(got, " | ") != strings.Join(want, " | ") {
		t.Errorf("funcs at run's dynamic calls: %q, want %q", got, want)
	}
}

func TestForwardChain(t *testing.T) {
	g, fns := load(t)
	tree := g.Forward([]*ssa.Function{fns["run"]}, nil)
	if !tree.Reached(fns["sink"]) {
		t.Fatal("sink not reached from run")
	}
	var chain []string
	for _, e := range tree.Chain(fns["sink"]) {
		chain = append(chain, e.Caller.Func.RelString(fns["run"].Pkg.Pkg))
	}
	// Breadth first, in call order: setup$1 (a target of c.h.add) calls
	// sink directly, which is shorter than through enqueue.
	if got := strings.Join(chain, " -> "); got != "run -> setup$1" {
		t.Errorf("chain to sink: %s, want run -> setup$1", got)
	}
	if tree.Root(fns["sink"]) != fns["run"] {
		t.Errorf("root of sink's chain is %v, want run", tree.Root(fns["sink"]))
	}
	if len(tree.Chain(fns["run"])) != 0 || tree.Chain(fns["setup"]) != nil {
		t.Error("a root's chain must be empty and an unreached function's nil")
	}
}

func TestForwardFollow(t *testing.T) {
	g, fns := load(t)
	noRetry := func(e *callgraph.Edge) bool { return e.Callee.Func != fns["(*ctrl).retry"] }
	tree := g.Forward([]*ssa.Function{fns["run"]}, noRetry)
	if tree.Reached(fns["(*ctrl).retry"]) {
		t.Error("follow did not stop the walk at retry")
	}
}
