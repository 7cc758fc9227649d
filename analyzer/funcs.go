package analyzer

import (
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/queuefix/queuefix/rewrite"
)

// A fnode is a function of the package: a declaration or a literal.
type fnode struct {
	name  string      // pkg.f, pkg.(*T).m, pkg.f.func1
	obj   *types.Func // nil for a literal
	lit   *ast.FuncLit
	body  *ast.BlockStmt
	decl  *ast.FuncDecl // nil for a literal
	calls []edge
	sites []*ast.CallExpr // the rate-limited adds it makes itself

	// Set by reach: the chain from here to the function that calls
	// AddRateLimited, where that call is, and the next local step.
	chain []string
	at    []string // where the chain's last function makes its calls
	next  *fnode
	local bool // the whole chain lies in this package
}

// An edge is a static call: to a function of the package, or to an
// imported one with a fact.
type edge struct {
	to   *fnode
	fact *reachesAdd
	call *ast.CallExpr
}

// funcs indexes the package's functions and their static calls.
type funcs struct {
	pass   *analysis.Pass
	nodes  []*fnode // in source order
	byObj  map[*types.Func]*fnode
	byLit  map[*ast.FuncLit]*fnode
	called map[*ast.Ident]bool // idents in the Fun of a call

	assigns map[*types.Var][]ast.Expr // values assigned to variables; built on first use

	init         *fnode          // the package-level initializers, if any
	handlerNodes map[*fnode]bool // functions that are event handlers
}

func newFuncs(pass *analysis.Pass) *funcs {
	fs := &funcs{pass: pass, byObj: map[*types.Func]*fnode{}, byLit: map[*ast.FuncLit]*fnode{}, called: map[*ast.Ident]bool{}}
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				obj, _ := pass.TypesInfo.Defs[d.Name].(*types.Func)
				if d.Body == nil || obj == nil {
					continue
				}
				n := fs.add(&fnode{name: qualified(obj), obj: obj, body: d.Body, decl: d})
				fs.byObj[obj] = n
				fs.scan(n, d.Body)
			case *ast.GenDecl:
				if fs.init == nil {
					fs.init = fs.add(&fnode{name: pass.Pkg.Name() + ".init"}) // package-level initializers
				}
				fs.scan(fs.init, d)
			}
		}
	}
	fs.resolve()
	return fs
}

func (fs *funcs) add(n *fnode) *fnode {
	fs.nodes = append(fs.nodes, n)
	return n
}

// scan records the calls in root that belong to n; each literal inside is
// a function of its own, named as go/ssa names them.
func (fs *funcs) scan(n *fnode, root ast.Node) {
	lits := 0
	ast.Inspect(root, func(x ast.Node) bool {
		switch x := x.(type) {
		case *ast.FuncLit:
			lits++
			lit := fs.add(&fnode{name: n.name + ".func" + itoa(lits), lit: x, body: x.Body})
			fs.byLit[x] = lit
			fs.scan(lit, x.Body)
			return false
		case *ast.CallExpr:
			n.calls = append(n.calls, edge{call: x})
			if id := calledIdent(x); id != nil {
				fs.called[id] = true
			}
		}
		return true
	})
}

// resolve finds each call's callee, and each function's own
// AddRateLimited call.
func (fs *funcs) resolve() {
	info := fs.pass.TypesInfo
	ignored := fs.ignoredLines()
	for _, n := range fs.nodes {
		var calls []edge
		for _, e := range n.calls {
			if rewrite.IsRateLimitedAdd(info, e.call) {
				if p := fs.pass.Fset.Position(e.call.Pos()); ignored[p.Filename][p.Line] {
					continue // //queuefix:ignore, with a reason
				}
				n.sites = append(n.sites, e.call)
				continue
			}
			if lit, ok := ast.Unparen(e.call.Fun).(*ast.FuncLit); ok {
				calls = append(calls, edge{to: fs.byLit[lit], call: e.call})
				continue
			}
			e.to, e.fact = fs.target(typeutil.StaticCallee(info, e.call))
			if e.to == nil && e.fact == nil {
				e.to, e.fact = fs.calledValue(e.call)
			}
			if e.to != nil || e.fact != nil {
				calls = append(calls, e)
			}
		}
		n.calls = calls
	}
}

// calledValue returns what a call of a local variable or an unexported
// field calls, when the package assigns it a function: enqueue(key) after
// enqueue := func(key string) {...}.
func (fs *funcs) calledValue(call *ast.CallExpr) (*fnode, *reachesAdd) {
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.Ident, *ast.SelectorExpr:
		return fs.valueTarget(fun, 0)
	}
	return nil, nil
}

// ignoredLines returns, by file name, the lines that a //queuefix:ignore
// directive with a reason covers. Only files with a directive are read.
func (fs *funcs) ignoredLines() map[string]map[int]bool {
	read := fs.pass.ReadFile
	if read == nil { // drivers before go/analysis had ReadFile
		read = os.ReadFile
	}
	out := map[string]map[int]bool{}
	for _, f := range fs.pass.Files {
		name := fs.pass.Fset.File(f.FileStart).Name()
		lines, err := rewrite.IgnoredLines(fs.pass.Fset, f, func() ([]byte, error) { return read(name) })
		if err != nil || len(lines) == 0 {
			continue
		}
		out[name] = map[int]bool{}
		for line := range lines {
			out[name][line] = true
		}
	}
	return out
}

// target returns the package's function fn, or the fact of an imported one.
func (fs *funcs) target(fn *types.Func) (*fnode, *reachesAdd) {
	if fn == nil {
		return nil, nil
	}
	fn = fn.Origin()
	if n := fs.byObj[fn]; n != nil {
		return n, nil
	}
	var f reachesAdd
	if fn.Pkg() != fs.pass.Pkg && fs.pass.ImportObjectFact(fn, &f) {
		return nil, &f
	}
	return nil, nil
}

// reach computes every function's chain to a rate-limited add: its own
// call, else the first callee (in source order) found reaching one, round
// after round, so chains are short and the result does not depend on map
// order.
func (fs *funcs) reach() {
	for _, n := range fs.nodes {
		if len(n.sites) > 0 {
			n.chain, n.local = []string{n.name}, true
			for _, c := range n.sites {
				n.at = append(n.at, fs.position(c.Pos()))
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for _, n := range fs.nodes {
			if n.chain == nil && fs.step(n) {
				changed = true
			}
		}
	}
}

func (fs *funcs) step(n *fnode) bool {
	for _, e := range n.calls {
		switch {
		case e.to != nil && e.to.chain != nil:
			n.chain, n.at, n.next, n.local = append([]string{n.name}, e.to.chain...), e.to.at, e.to, e.to.local
			return true
		case e.fact != nil:
			n.chain, n.at = append([]string{n.name}, e.fact.Chain...), e.fact.Sites
			return true
		}
	}
	return false
}

// position spells a position for facts and messages: the package path
// and the file's base name, so that it is the same in every driver.
func (fs *funcs) position(pos token.Pos) string {
	p := fs.pass.Fset.Position(pos)
	return fs.pass.Pkg.Path() + "/" + baseName(p.Filename) + ":" + itoa(p.Line) + ":" + itoa(p.Column)
}

// callersOf returns the functions that reach n through calls in the
// package, n included, in source order.
func (fs *funcs) callersOf(n *fnode) []*fnode {
	in := map[*fnode]bool{n: true}
	for changed := true; changed; {
		changed = false
		for _, m := range fs.nodes {
			if in[m] {
				continue
			}
			for _, e := range m.calls {
				if e.to != nil && in[e.to] {
					in[m], changed = true, true
					break
				}
			}
		}
	}
	var out []*fnode
	for _, m := range fs.nodes {
		if in[m] {
			out = append(out, m)
		}
	}
	return out
}

// calledIdent returns the name a call calls by: f in f(), m in x.m().
func calledIdent(call *ast.CallExpr) *ast.Ident {
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		return f
	case *ast.SelectorExpr:
		return f.Sel
	case *ast.IndexExpr:
		return calledIdent(&ast.CallExpr{Fun: f.X})
	case *ast.IndexListExpr:
		return calledIdent(&ast.CallExpr{Fun: f.X})
	}
	return nil
}

// qualified names a function as chains print it: ctrl.f, ctrl.(*T).m.
func qualified(fn *types.Func) string {
	name := fn.Name()
	if r := fn.Signature().Recv(); r != nil {
		t, star := r.Type(), ""
		if p, ok := t.(*types.Pointer); ok {
			t, star = p.Elem(), "*"
		}
		tn := "?"
		if n, ok := types.Unalias(t).(*types.Named); ok {
			tn = n.Obj().Name()
		}
		name = "(" + star + tn + ")." + name
	}
	return fn.Pkg().Name() + "." + name
}

func itoa(n int) string { return strconv.Itoa(n) }

func baseName(path string) string { return filepath.Base(path) }
