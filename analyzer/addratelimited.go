package analyzer

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/queuefix/queuefix/rewrite"
)

// AddRateLimited reports event handlers that reach a rate-limited add,
// at the handler, with the call chain:
//
//	inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: c.enqueue})
//	...
//	func (c *C) enqueue(obj interface{}) { c.queue.AddRateLimited(obj) }
//
// =>
//
//	func (c *C) enqueue(obj interface{}) { c.queue.Add(obj) }
//
// Facts carry "this function reaches AddRateLimited at S via C" from a
// package to the packages that import it, so chains may cross packages.
//
// The fix to Add is offered only where it is sound in a package-closed
// world: the chain stays in the package, and every function that reaches
// the call, the call's own function included, is unexported and used only
// in calls or as the handler; so nothing but handlers can reach it. The
// new call is type-checked before it is offered. Elsewhere (a helper that
// a worker or a resync also calls, an exported function, a chain through
// another package) the diagnostic says why and points to queuefix -diff,
// which decides with the whole module's call graph.
var AddRateLimited = &analysis.Analyzer{
	Name:      string(rewrite.RuleAddRateLimited),
	Doc:       doc(rewrite.RuleAddRateLimited),
	URL:       info(rewrite.RuleAddRateLimited).URL,
	Run:       runAddRateLimited,
	FactTypes: []analysis.Fact{new(reachesAdd), new(returnsAdd)},
}

// reachesAdd is the fact that a function reaches a rate-limited add.
type reachesAdd struct {
	Sites []string // package path/file:line:col of each rate-limited add the last function makes
	Chain []string // from the function to the one that makes the calls
}

func (*reachesAdd) AFact() {}

func (f *reachesAdd) String() string {
	return "reaches AddRateLimited at " + strings.Join(f.Sites, ", ") + " via " + strings.Join(f.Chain, " -> ")
}

// returnsAdd is the fact that a function (a factory) returns a func value
// that reaches a rate-limited add.
type returnsAdd reachesAdd

func (*returnsAdd) AFact() {}

func (f *returnsAdd) String() string {
	return "returns a func that " + (*reachesAdd)(f).String()
}

// A handler is a func value stored in an event-handler field.
type handler struct {
	how   string // cache.ResourceEventHandlerFuncs.AddFunc
	value ast.Expr
	to    *fnode
	fact  *reachesAdd
}

func runAddRateLimited(pass *analysis.Pass) (any, error) {
	fs := newFuncs(pass)
	fs.reach()
	for _, n := range fs.nodes {
		if n.obj == nil {
			continue
		}
		if n.chain != nil {
			pass.ExportObjectFact(n.obj, &reachesAdd{Sites: n.at, Chain: n.chain})
		}
		if to, fact := fs.firstTarget(returned(n.body), 0); to != nil && to.chain != nil {
			pass.ExportObjectFact(n.obj, &returnsAdd{Sites: to.at, Chain: to.chain})
		} else if fact != nil {
			pass.ExportObjectFact(n.obj, (*returnsAdd)(fact))
		}
	}
	hs := handlers(fs)
	roots := map[ast.Expr]bool{}
	fs.handlerNodes = map[*fnode]bool{}
	for _, h := range hs {
		roots[h.value] = true
		if h.to != nil {
			fs.handlerNodes[h.to] = true
		}
	}
	fixed := map[*ast.CallExpr]bool{}
	for _, h := range hs {
		reportHandler(fs, h, roots, fixed)
	}
	return nil, nil
}

// reportHandler reports a handler that reaches rate-limited adds, once
// for each add, with the fix when it is sound (see AddRateLimited); each
// call gets its fix once, on the first handler that reaches it.
func reportHandler(fs *funcs, h handler, roots map[ast.Expr]bool, fixed map[*ast.CallExpr]bool) {
	var chain, at []string
	switch {
	case h.to != nil && h.to.chain != nil:
		chain, at = h.to.chain, h.to.at
	case h.fact != nil:
		chain, at = h.fact.Chain, h.fact.Sites
	default:
		return
	}
	why := fs.unsafeFix(h, roots)
	for i, pos := range at {
		site := strings.TrimPrefix(pos, fs.pass.Pkg.Path()+"/")
		msg := fmt.Sprintf("event handler %s reaches AddRateLimited at %s: handler path: %s", h.how, site, strings.Join(chain, " -> "))
		var call *ast.CallExpr
		if why == "" {
			call = last(h.to).sites[i]
		}
		fs.pass.Report(fs.handlerDiagnostic(h, msg, why, call, fixed))
	}
}

// handlerDiagnostic is the diagnostic at handler h for one add: with the
// fix for call, unless why says it is unsound or the call already has it.
func (fs *funcs) handlerDiagnostic(h handler, msg, why string, call *ast.CallExpr, fixed map[*ast.CallExpr]bool) analysis.Diagnostic {
	d := analysis.Diagnostic{Pos: h.value.Pos(), End: h.value.End(), Category: string(rewrite.RuleAddRateLimited), URL: info(rewrite.RuleAddRateLimited).URL}
	if why == "" {
		why = fs.unfixable(call)
	}
	switch {
	case why != "":
		d.Message = msg + "; not fixed here: " + why + "; run queuefix -diff ./... to decide with the whole module"
	case fixed[call]:
		d.Message = msg + "; use Add (fixed with the first handler that reaches it)"
	default:
		fixed[call] = true
		sel := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		d.Message = msg + "; use Add: rate limiting is for retries after errors"
		d.SuggestedFixes = []analysis.SuggestedFix{{
			Message:   "Use Add",
			TextEdits: []analysis.TextEdit{{Pos: sel.Sel.Pos(), End: sel.Sel.End(), NewText: []byte("Add")}},
		}}
	}
	return d
}

// last returns the function at the end of a local chain.
func last(n *fnode) *fnode {
	for n.next != nil {
		n = n.next
	}
	return n
}

// unsafeFix says why rewriting the call the handler reaches is not known
// to be sound from this package alone, or "".
func (fs *funcs) unsafeFix(h handler, roots map[ast.Expr]bool) string {
	if h.to == nil || !h.to.local {
		return "the path leaves the package"
	}
	if why := fs.indirect(h.value); why != "" {
		return why
	}
	callers := fs.callersOf(last(h.to))
	for _, m := range callers {
		if why := fs.otherEntry(m, callers); why != "" {
			return why
		}
	}
	for _, m := range callers {
		if m.obj != nil && (m.obj.Exported() || m.obj.Name() == "init" || m.obj.Name() == "main") {
			return m.name + " can be called from outside the package"
		}
		if use := fs.valueUse(m, roots); use != "" {
			return m.name + " is also used as a value at " + use + ", so something other than a handler may call it"
		}
	}
	return ""
}

// valueUse returns where m is used other than in a call or as a handler.
func (fs *funcs) valueUse(m *fnode, roots map[ast.Expr]bool) string {
	if m.lit != nil {
		if roots[m.lit] || fs.isCalledLit(m.lit) {
			return ""
		}
		return fs.short(m.lit.Pos())
	}
	first := token.NoPos // the earliest such use: map order must not show
	for id, obj := range fs.pass.TypesInfo.Uses {
		if obj != m.obj || fs.called[id] || fs.isRootIdent(id, roots) {
			continue
		}
		if first == token.NoPos || fs.before(id.Pos(), first) {
			first = id.Pos()
		}
	}
	if first != token.NoPos {
		return fs.short(first)
	}
	if fs.inInterface(m.obj) {
		return "an interface method of the package"
	}
	return ""
}

func (fs *funcs) isCalledLit(lit *ast.FuncLit) bool {
	for _, n := range fs.nodes {
		for _, e := range n.calls {
			if e.to != nil && e.to.lit == lit && ast.Unparen(e.call.Fun) == lit {
				return true
			}
		}
	}
	return false
}

func (fs *funcs) isRootIdent(id *ast.Ident, roots map[ast.Expr]bool) bool {
	for v := range roots {
		switch v := ast.Unparen(v).(type) {
		case *ast.Ident:
			if v == id {
				return true
			}
		case *ast.SelectorExpr:
			if v.Sel == id {
				return true
			}
		}
	}
	return false
}

// inInterface reports whether a method's name is declared by an interface
// type of the package: an interface call could reach it unseen.
func (fs *funcs) inInterface(fn *types.Func) bool {
	if fn.Signature().Recv() == nil {
		return false
	}
	for _, obj := range fs.pass.TypesInfo.Defs {
		tn, ok := obj.(*types.TypeName)
		if !ok {
			continue
		}
		if it, ok := tn.Type().Underlying().(*types.Interface); ok {
			for i := 0; i < it.NumMethods(); i++ {
				if it.Method(i).Name() == fn.Name() {
					return true
				}
			}
		}
	}
	return false
}

// before orders positions by file name, then offset.
func (fs *funcs) before(p, q token.Pos) bool {
	pp, pq := fs.pass.Fset.Position(p), fs.pass.Fset.Position(q)
	if pp.Filename != pq.Filename {
		return pp.Filename < pq.Filename
	}
	return pp.Offset < pq.Offset
}

// short spells a position of the package as file:line:col.
func (fs *funcs) short(pos token.Pos) string {
	p := fs.pass.Fset.Position(pos)
	return baseName(p.Filename) + ":" + itoa(p.Line) + ":" + itoa(p.Column)
}

// otherEntry says why m, a function that reaches the call, may run for
// something other than an event: it is not a handler and nothing in the
// package calls it (a worker started elsewhere, code run at start-up).
func (fs *funcs) otherEntry(m *fnode, callers []*fnode) string {
	if fs.handlerNodes[m] {
		return ""
	}
	for _, c := range callers {
		for _, e := range c.calls {
			if e.to == m && c != m {
				return ""
			}
		}
	}
	if m.obj == nil && m.lit == nil {
		return "package-level initializers reach it at start-up"
	}
	return m.name + " reaches it and is neither a handler nor called in the package (a worker, or code run from elsewhere)"
}

// unfixable says why the call cannot simply become Add here, or "".
func (fs *funcs) unfixable(call *ast.CallExpr) string {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if ok && sel.Sel.Name == "AddWithOpts" {
		return "it is AddWithOpts with RateLimited: true, whose options queuefix rewrites"
	}
	if f := fs.fileOf(call.Pos()); f != nil && ast.IsGenerated(f) {
		return "the call is in a generated file: fix the generator"
	}
	return checkAdd(fs.pass, call)
}

func (fs *funcs) fileOf(pos token.Pos) *ast.File {
	for _, f := range fs.pass.Files {
		if f.FileStart <= pos && pos <= f.FileEnd {
			return f
		}
	}
	return nil
}

// checkAdd type-checks the call with Add in place of AddRateLimited where
// it stands, and says why it does not compile, or "".
func checkAdd(pass *analysis.Pass, call *ast.CallExpr) string {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return "the call is not a method call"
	}
	add := &ast.CallExpr{Fun: &ast.SelectorExpr{X: sel.X, Sel: ast.NewIdent("Add")}, Lparen: call.Lparen, Args: call.Args, Ellipsis: call.Ellipsis, Rparen: call.Rparen}
	if err := types.CheckExpr(pass.Fset, pass.Pkg, call.Pos(), add, nil); err != nil {
		return "Add does not type-check there: " + err.Error()
	}
	return ""
}
