package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/callgraph"
	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/ssa"

	"github.com/queuefix/queuefix/rewrite/internal/reach"
)

// graph is the second phase: the SSA form of the index's packages, their
// call graph, the event-handler roots and the other entry points, and
// what each reaches. buildGraph fills it and nothing writes it after, so
// any goroutine may read it. It embeds the index it was built from.
type graph struct {
	*index
	prog    *program
	calls   *reach.Graph
	flow    *reach.Flow
	roots   map[*ssa.Function]root
	escaped map[*ssa.Function]escape // func values handed to code we cannot see
	handler *reach.Tree              // reached from event-handler roots
	other   *reach.Tree              // reached from any other entry point
	// instances maps a generic function (or a closure in one) to its
	// instantiations, which are what the call graph holds.
	instances map[*ssa.Function][]*ssa.Function

	closed bool                   // Options.Closed
	open   map[*ssa.Function]bool // entries only because the world may call them (see onlyOpenWorld)
	// onePackage says the graph is of one package whose importers are not
	// seen (AddRateLimitedUnit): its exported functions are entries even
	// when the package calls them, and imported records those.
	onePackage bool
	imported   map[*ssa.Function]bool

	summary func(*types.Func) *Summary // Unit.Summary: dependencies' functions, one package at a time
}

// buildGraph builds the SSA slice of the index's packages and its call
// graph, finds the roots and walks what they reach. SSA has the bodies rel
// keeps.
func buildGraph(ix *index, opts Options, rel relevance) *graph {
	a := &graph{index: ix, closed: opts.Closed, summary: opts.summary, onePackage: opts.onePackage}
	opts.progress("building SSA for %d packages", len(a.pkgs))
	a.prog = buildProgram(a.pkgs, rel)
	opts.progress("computing the call graph of %d functions", len(a.prog.funcs))
	a.instances = instancesOf(a.prog.funcs)
	a.calls = reach.NewGraph(a.prog.funcs)
	a.resolveOpenInvokes()
	a.flow = reach.NewFlow(a.calls)
	a.roots, a.escaped = a.findRoots()
	a.handler = a.calls.Forward(a.sortedRoots(), nil)
	a.other = a.calls.Forward(a.otherEntries(), a.countsAsCaller)
	opts.progress("checking %d packages", len(a.pkgs))
	return a
}

// sortedRoots returns the roots in order of registration, so chains are
// stable and start at the first registration in the source.
func (a *graph) sortedRoots() []*ssa.Function {
	out := make([]*ssa.Function, 0, len(a.roots))
	for fn := range a.roots {
		out = append(out, fn)
	}
	sort.Slice(out, func(i, j int) bool {
		if c := a.comparePos(a.roots[out[i]].pos, a.roots[out[j]].pos); c != 0 {
			return c < 0
		}
		return out[i].String() < out[j].String()
	})
	return out
}

// otherEntries returns the entry points that are not event handlers:
// functions no one in the targets calls (main, exported API, goroutines
// started by dependencies) and function values handed to dependencies
// (wait.Until, time.AfterFunc, ...). Test code does not count. With
// Options.Closed, functions that are entries only because code that is not
// analysed might call them are left out; without it they are recorded in
// a.open, so that messages citing them can suggest -closed.
func (a *graph) otherEntries() []*ssa.Function {
	var out []*ssa.Function
	a.open = make(map[*ssa.Function]bool)
	a.imported = make(map[*ssa.Function]bool)
	ifaces := &interfaces{pkgs: a.pkgs}
	for fn := range a.prog.funcs {
		if a.inTestFile(fn.Pos()) {
			continue
		}
		_, isRoot := a.roots[fn]
		_, escaped := a.escaped[fn]
		if !escaped && (isRoot || unreachableWrapper(fn)) {
			continue
		}
		if !escaped && a.hasCallers(fn) {
			if !a.onePackage || !importable(fn) {
				continue
			}
			a.imported[fn] = true
			out = append(out, fn)
			continue
		}
		if !escaped && onlyOpenWorld(fn, ifaces) {
			if a.closed {
				continue
			}
			a.open[fn] = true
		}
		out = append(out, fn)
	}
	a.sortFuncs(out)
	return out
}

// importable reports whether code in another package may call fn: an
// exported function or method (an unexported type's exported methods are
// reached through interfaces and the values constructors return).
func importable(fn *ssa.Function) bool {
	return token.IsExported(fn.Name()) && fn.Parent() == nil && (fn.Synthetic == "" || isWrapper(fn))
}

// unreachableWrapper reports whether fn is a wrapper the SSA builder made
// for an unexported method (promoted through an embedded field, or of the
// pointer type): only its package can call it, so having no callers there
// means nothing calls it, and it is no entry point.
func unreachableWrapper(fn *ssa.Function) bool {
	return strings.HasPrefix(fn.Synthetic, "wrapper for ") && !token.IsExported(fn.Name())
}

// hasCallers reports whether fn is called from code that is not a test.
// An edge resolveOpenInvokes guessed does not count: the method may well
// be called by code that is not analysed instead, so it stays an entry.
func (a *graph) hasCallers(fn *ssa.Function) bool {
	for _, e := range a.calls.Callers(fn) {
		if a.countsAsCaller(e) && !a.calls.Added(e) {
			return true
		}
	}
	return false
}

// countsAsCaller reports whether a call edge is a non-test path: tests
// call helpers directly all the time and that is no reason to keep a bug.
func (a *graph) countsAsCaller(e *callgraph.Edge) bool {
	return !a.inTestFile(e.Caller.Func.Pos())
}

// instancesOf indexes the instantiated functions among funcs by origin,
// in a stable order.
func instancesOf(funcs map[*ssa.Function]bool) map[*ssa.Function][]*ssa.Function {
	out := make(map[*ssa.Function][]*ssa.Function)
	for fn := range funcs {
		if o := fn.Origin(); o != nil {
			out[o] = append(out[o], fn)
		}
	}
	for _, list := range out {
		sort.Slice(list, func(i, j int) bool { return list[i].String() < list[j].String() })
	}
	return out
}

// bodiesOf returns the functions the call graph may hold for the source
// function fn: fn itself, or its instantiations when it is generic.
func (a *graph) bodiesOf(fn *ssa.Function) []*ssa.Function {
	if fn == nil {
		return nil
	}
	if inst := a.instances[fn]; len(inst) > 0 {
		return inst
	}
	return []*ssa.Function{fn}
}

// ssaFunc returns the SSA function that encloses path in pkg.
func (a *graph) ssaFunc(pkg *packages.Package, path []ast.Node) *ssa.Function {
	sp := a.prog.ssa[pkg]
	if sp == nil {
		return nil
	}
	return ssa.EnclosingFunction(sp, path)
}
