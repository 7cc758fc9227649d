package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strings"
	"time"

	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/ssa"

	"github.com/queuefix/queuefix/rewrite/internal/match"
)

// A Summary is what the addratelimited rule found about one function of a
// package that importers of the package need and cannot see: drivers that
// analyse a package at a time (go/analysis) keep it as a fact of the
// function and hand it back through Unit.Summary.
type Summary struct {
	Reaches  *Reach         // calling the function reaches a rate-limited add
	Returns  *Reach         // the function returns a func that reaches one
	Handlers []ParamHandler // parameters that event handlers call
	Calls    []int          // parameters the func it returns calls (a handler factory over a callback)
}

// A Reach is a rate-limited add one package's function reaches.
type Reach struct {
	Sites []string // each add, as import path/file.go:line:col
	Chain []string // the functions from this one to the one making the adds
}

// A ParamHandler says that parameter Param (in SSA numbering: a method's
// receiver is 0) ends up in an event-handler field, or is called by a
// function stored in one.
type ParamHandler struct {
	Param int
	How   string // cache.ResourceEventHandlerFuncs.AddFunc
}

// AddRateLimitedUnit runs the addratelimited rule on one package alone,
// with the engine's roots, call graph, verdicts and edit verification,
// as Run would on a module made of this package with its dependencies
// seen as declarations only. Exported functions are entry points, as
// without Options.Closed, and so are those the package itself calls:
// importers, unseen, may call them too. Summaries of the
// dependencies' functions, from u.Summary, stand in for their bodies:
// a func passed to a dependency that puts it in a handler is a handler
// root, and a handler that reaches a dependency's rate-limited add is
// reported at the handler for review, with no edit, since the edit is
// in the other package. It returns the findings and the summaries of
// this package's functions.
func AddRateLimitedUnit(u Unit) ([]Finding, map[*types.Func]*Summary) {
	ix := newIndex([]*packages.Package{u.pkg()}, time.Now())
	scanned := ix.scanSites()
	a := buildGraph(ix, Options{summary: u.Summary, onePackage: true}, relevantDecls(ix.pkgs))
	fns := a.sortedFuncs()
	found, _ := a.addRateLimited(scanned)
	findings, _ := ix.apply(append(found, a.crossFindings(fns)...))
	SortFindings(findings)
	return findings, a.summaries(scanned, fns)
}

// IsQueueAPI reports whether p is client-go's cache or workqueue package,
// vendored or not. Every type the addratelimited rule starts from is
// declared in one of them or in a package that imports one: the queue
// interfaces, the handler structs and interfaces, and controller-runtime's
// handlers and priority queue, which take a workqueue. So a package that
// imports neither, directly or not, has no site, no root and no store into
// a handler field, and no dependency of it has a summary that reaches an
// add or names a handler: AddRateLimitedUnit finds nothing there and
// summarises only what FactorySummaries finds.
func IsQueueAPI(p *types.Package) bool {
	return match.IsPkg(p, match.CachePath) || match.IsPkg(p, match.WorkqueuePath)
}

// FactorySummaries returns the summaries of a package that imports neither
// of the packages IsQueueAPI names, directly or not, without building its
// call graph: the funcs it returns that call a parameter (Summary.Calls),
// which an importer may store in a handler field. They are read from
// syntax, as AddRateLimitedUnit reads them.
func FactorySummaries(u Unit) map[*types.Func]*Summary {
	out := make(map[*types.Func]*Summary)
	for obj, calls := range returnedCalls(u.pkg()) {
		out[obj] = &Summary{Calls: calls}
	}
	return out
}

// summaryOf returns the summary of a function with no body here, or nil.
func (a *graph) summaryOf(fn *ssa.Function) *Summary {
	if a.summary == nil || fn == nil || a.prog.funcs[fn] {
		return nil
	}
	if o := fn.Origin(); o != nil {
		fn = o
	}
	obj, ok := fn.Object().(*types.Func)
	if !ok {
		return nil
	}
	return a.summary(obj)
}

// paramRoots makes roots of the funcs a call passes for parameters that
// the callee, in another package, puts in an event handler (Build(c.onAdd)
// where Build returns ResourceEventHandlerFuncs{AddFunc: add}), and
// returns those arguments' indexes: they do not escape.
func (a *graph) paramRoots(call ssa.CallInstruction, roots map[*ssa.Function]root) map[int]bool {
	common := call.Common()
	sum := a.summaryOf(common.StaticCallee())
	if sum == nil {
		return nil
	}
	handlers := sum.Handlers
	if how := resultHandler(call); how != "" {
		for _, i := range sum.Calls {
			handlers = append(handlers, ParamHandler{Param: i, How: how})
		}
	}
	if len(handlers) == 0 {
		return nil
	}
	out := make(map[int]bool)
	for _, h := range handlers {
		if h.Param >= len(common.Args) {
			continue
		}
		out[h.Param] = true
		for fn := range a.flow.Funcs(common.Args[h.Param]) {
			if r, ok := roots[fn]; !ok || a.comparePos(call.Pos(), r.pos) < 0 {
				roots[fn] = root{how: h.How, pos: call.Pos()}
			}
		}
	}
	return out
}

// resultHandler names the event-handler field the call's result is
// stored in (AddFunc: handlers.ForLabel("app", c.enqueue)), or "".
func resultHandler(call ssa.CallInstruction) string {
	v, ok := call.(*ssa.Call)
	if !ok {
		return ""
	}
	work := []ssa.Value{v}
	for len(work) > 0 {
		x := work[0]
		work = work[1:]
		for _, ref := range *x.Referrers() {
			switch r := ref.(type) {
			case *ssa.Store:
				if how := storedHandler(r); how != "" && r.Val == x {
					return how
				}
			case *ssa.ChangeType, *ssa.MakeInterface, *ssa.Convert:
				work = append(work, r.(ssa.Value))
			}
		}
	}
	return ""
}

// A crossing is a handler path that leaves the package into a function
// whose summary says it reaches a rate-limited add.
type crossing struct {
	chain Chain // from the registration to the call into the dependency
	reach *Reach
	into  string // the dependency's function, or the factory
}

// crossFindings reports, at the handler, each rate-limited add in another
// package that a handler of this one reaches: once per add, on the
// shortest chain.
func (a *graph) crossFindings(fns []*ssa.Function) []Finding {
	if a.summary == nil {
		return nil
	}
	best := make(map[string]crossing)
	for _, c := range append(a.crossCalls(fns), a.crossFactories(fns)...) {
		for _, s := range c.reach.Sites {
			if old, ok := best[s]; !ok || chainKey(c.chain) < chainKey(old.chain) {
				best[s] = c
			}
		}
	}
	var out []Finding
	for site, c := range best {
		out = append(out, a.crossFinding(site, c))
	}
	return out
}

func (a *graph) crossFinding(site string, c crossing) Finding {
	chain := c.chain
	for _, name := range c.reach.Chain {
		chain.Frames = append(chain.Frames, Frame{Func: name})
	}
	return Finding{
		Pos:    chain.Frames[0].Pos,
		Rule:   ruleAddRateLimited,
		Status: Review,
		Message: fmt.Sprintf("event handler %s reaches AddRateLimited at %s through %s, in package %s: "+
			"the call is in another package, so there is no fix here; run queuefix -diff ./... on the module to rewrite it",
			chain.Frames[0].Func, site, c.into, sitePkg(site)),
		Chains: []Chain{chain},
	}
}

// sitePkg returns the import path of a Reach site.
func sitePkg(site string) string { return site[:strings.LastIndex(site, "/")] }

// crossCalls returns the calls from handler-reached functions into
// dependencies' functions that reach a rate-limited add.
func (a *graph) crossCalls(fns []*ssa.Function) []crossing {
	var out []crossing
	for _, fn := range fns {
		if !a.handler.Reached(fn) {
			continue
		}
		for _, d := range a.depAdds(fn) {
			out = append(out, crossing{a.handlerChain(fn, d.call.Pos()), d.sum.Reaches, funcName(d.callee)})
		}
	}
	return out
}

// A depAdd is a call fn makes to a dependency's function that reaches a
// rate-limited add, by that function's summary.
type depAdd struct {
	call   ssa.CallInstruction
	callee *ssa.Function
	sum    *Summary
}

// depAdds returns fn's calls into dependencies' functions that reach a
// rate-limited add, in instruction order.
func (a *graph) depAdds(fn *ssa.Function) []depAdd {
	var out []depAdd
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(ssa.CallInstruction)
			if !ok {
				continue
			}
			for _, callee := range a.calls.Callees(call) {
				if sum := a.summaryOf(callee); sum != nil && sum.Reaches != nil {
					out = append(out, depAdd{call, callee, sum})
				}
			}
		}
	}
	return out
}

// crossFactories returns the handler fields set to the result of a
// dependency's function that returns a func reaching a rate-limited add
// (AddFunc: handlers.EnqueueTo(q)).
func (a *graph) crossFactories(fns []*ssa.Function) []crossing {
	var out []crossing
	for _, fn := range fns {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				st, ok := instr.(*ssa.Store)
				if !ok || a.inTestFile(st.Pos()) {
					continue
				}
				how := storedHandler(st)
				call, ok := unconvert(st.Val).(*ssa.Call)
				if how == "" || !ok {
					continue
				}
				if sum := a.summaryOf(call.Common().StaticCallee()); sum != nil && sum.Returns != nil {
					c := Chain{Kind: ChainHandler, Frames: []Frame{{Func: how, Pos: a.fset.Position(st.Pos())}}}
					out = append(out, crossing{c, sum.Returns, funcName(call.Common().StaticCallee())})
				}
			}
		}
	}
	return out
}

// storedHandler names the event-handler field a store writes, or "".
func storedHandler(st *ssa.Store) string {
	fa, ok := st.Addr.(*ssa.FieldAddr)
	if !ok || !match.IsFunc(st.Val.Type()) {
		return ""
	}
	s, ok := match.Deref(fa.X.Type()).Underlying().(*types.Struct)
	if !ok {
		return ""
	}
	return match.HandlerField(match.Deref(fa.X.Type()), s.Field(fa.Field))
}

// unconvert strips conversions from v.
func unconvert(v ssa.Value) ssa.Value {
	for {
		switch x := v.(type) {
		case *ssa.ChangeType:
			v = x.X
		case *ssa.Convert:
			v = x.X
		case *ssa.MakeInterface:
			v = x.X
		default:
			return v
		}
	}
}

// sortedFuncs returns the functions with bodies here, in source order.
func (a *graph) sortedFuncs() []*ssa.Function {
	out := make([]*ssa.Function, 0, len(a.prog.funcs))
	for fn := range a.prog.funcs {
		out = append(out, fn)
	}
	a.sortFuncs(out)
	return out
}

// summaries returns what importers need to know about this package's
// functions: which reach a rate-limited add (directly or through a
// dependency's summary), which return a func that does, and which hand a
// parameter to event handlers.
func (a *graph) summaries(scanned []*site, fns []*ssa.Function) map[*types.Func]*Summary {
	next, sites := a.reachBackward(scanned, fns)
	out := make(map[*types.Func]*Summary)
	get := func(obj *types.Func) *Summary {
		if out[obj] == nil {
			out[obj] = &Summary{}
		}
		return out[obj]
	}
	for _, fn := range fns {
		obj := a.ownFunc(fn)
		if obj == nil {
			continue
		}
		if _, ok := next[fn]; ok {
			get(obj).Reaches = a.reachFrom(fn, next, sites)
		}
		if r := a.returnedReach(fn, next, sites); r != nil {
			get(obj).Returns = r
		}
	}
	for obj, calls := range returnedCalls(a.pkgs[0]) {
		get(obj).Calls = calls
	}
	for obj, hs := range a.paramHandlers(fns) {
		get(obj).Handlers = hs
	}
	return out
}

// ownFunc returns the declared function fn is, when it is this package's
// own (not a closure, wrapper or instantiation), or nil.
func (a *graph) ownFunc(fn *ssa.Function) *types.Func {
	if fn.Parent() != nil || fn.Synthetic != "" || fn.Pkg == nil || !a.prog.targets[fn.Pkg.Pkg] {
		return nil
	}
	obj, _ := fn.Object().(*types.Func)
	return obj
}

// A step is where a function's shortest way to a rate-limited add goes:
// the function it calls next, or nil when it makes the add itself or calls
// a dependency whose summary reaches one.
type step struct {
	callee *ssa.Function
	dep    *Summary
	depFn  string
}

// reachBackward walks the call graph backwards from the functions that
// make a rate-limited add not left alone by a directive, and from calls
// into dependencies whose summaries reach one. sites holds each add-making
// function's adds.
func (a *graph) reachBackward(scanned []*site, fns []*ssa.Function) (map[*ssa.Function]step, map[*ssa.Function][]string) {
	next := make(map[*ssa.Function]step)
	sites := make(map[*ssa.Function][]string)
	var queue []*ssa.Function
	for _, s := range scanned {
		pos := a.fset.Position(s.sel.Sel.Pos())
		if ig := s.fi.ignoreFor(pos.Line); a.inTestFile(s.sel.Pos()) || ig != nil && ig.reason != "" {
			continue
		}
		for _, fn := range a.bodiesOf(s.fn) {
			if _, ok := next[fn]; !ok {
				next[fn] = step{}
				queue = append(queue, fn)
			}
			sites[fn] = append(sites[fn], a.siteName(s.pkg.Types, pos))
		}
	}
	for _, fn := range fns {
		if dep, name := a.depReach(fn); dep != nil {
			if _, ok := next[fn]; !ok {
				next[fn] = step{dep: dep, depFn: name}
				queue = append(queue, fn)
			}
		}
	}
	for len(queue) > 0 {
		fn := queue[0]
		queue = queue[1:]
		for _, e := range a.calls.Callers(fn) {
			caller := e.Caller.Func
			if _, ok := next[caller]; ok || !a.countsAsCaller(e) {
				continue
			}
			next[caller] = step{callee: fn}
			queue = append(queue, caller)
		}
	}
	return next, sites
}

// depReach returns the summary of the first dependency function fn calls
// that reaches a rate-limited add, and its name.
func (a *graph) depReach(fn *ssa.Function) (*Summary, string) {
	if adds := a.depAdds(fn); len(adds) > 0 {
		return adds[0].sum, funcName(adds[0].callee)
	}
	return nil, ""
}

// siteName spells a site for a summary: import path/file.go:line:col.
func (a *graph) siteName(pkg *types.Package, pos token.Position) string {
	base := pos.Filename[strings.LastIndexAny(pos.Filename, `/\`)+1:]
	return fmt.Sprintf("%s/%s:%d:%d", pkg.Path(), base, pos.Line, pos.Column)
}

// reachFrom follows next from fn to the adds it reaches.
func (a *graph) reachFrom(fn *ssa.Function, next map[*ssa.Function]step, sites map[*ssa.Function][]string) *Reach {
	r := &Reach{}
	for {
		r.Chain = append(r.Chain, funcName(fn))
		st := next[fn]
		switch {
		case st.callee != nil:
			fn = st.callee
			continue
		case st.dep != nil:
			r.Chain = append(append(r.Chain, st.depFn), st.dep.Reaches.Chain...)
			r.Sites = st.dep.Reaches.Sites
		default:
			r.Sites = sites[fn]
		}
		return r
	}
}

// returnedReach returns the reach of the first func fn returns that
// reaches a rate-limited add, or nil.
func (a *graph) returnedReach(fn *ssa.Function, next map[*ssa.Function]step, sites map[*ssa.Function][]string) *Reach {
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok {
			continue
		}
		for _, v := range ret.Results {
			if !match.IsFunc(v.Type()) {
				continue
			}
			funcs := a.flow.Funcs(v)
			fns := make([]*ssa.Function, 0, len(funcs))
			for f := range funcs {
				fns = append(fns, f)
			}
			a.sortFuncs(fns)
			for _, f := range fns {
				if _, ok := next[f]; ok {
					return a.reachFrom(f, next, sites)
				}
			}
		}
	}
	return nil
}

// returnedCalls returns, for the package's functions that return a func
// literal, the parameters that literal calls (in SSA numbering). It reads
// syntax: the call graph leaves out bodies that mention no work queue or
// handler type, as such a factory's may.
func returnedCalls(pkg *packages.Package) map[*types.Func][]int {
	out := make(map[*types.Func][]int)
	for _, f := range pkg.Syntax {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			obj, ok := pkg.TypesInfo.Defs[fd.Name].(*types.Func)
			if !ok {
				continue
			}
			if calls := litCalls(pkg.TypesInfo, obj, fd.Body); len(calls) > 0 {
				out[obj] = calls
			}
		}
	}
	return out
}

// litCalls returns the parameters of fn that a func literal returned in
// body calls.
func litCalls(info *types.Info, fn *types.Func, body *ast.BlockStmt) []int {
	sig := fn.Signature()
	offset := 0
	if sig.Recv() != nil {
		offset = 1
	}
	called := make(map[int]bool)
	ast.Inspect(body, func(n ast.Node) bool {
		ret, ok := n.(*ast.ReturnStmt)
		if !ok {
			return true
		}
		for _, r := range ret.Results {
			lit, ok := ast.Unparen(r).(*ast.FuncLit)
			if !ok {
				continue
			}
			ast.Inspect(lit.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				id, ok := ast.Unparen(call.Fun).(*ast.Ident)
				if !ok {
					return true
				}
				for i := 0; i < sig.Params().Len(); i++ {
					if info.Uses[id] == sig.Params().At(i) {
						called[i+offset] = true
					}
				}
				return true
			})
		}
		return true
	})
	var out []int
	for i := range called {
		out = append(out, i)
	}
	sort.Ints(out)
	return out
}

// paramHandlers returns, for this package's functions, the parameters
// that flow into an event-handler field or that an event handler calls.
func (a *graph) paramHandlers(fns []*ssa.Function) map[*types.Func][]ParamHandler {
	found := make(map[*ssa.Parameter]string)
	for _, fn := range fns {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				a.paramsOf(instr, found)
			}
		}
	}
	out := make(map[*types.Func][]ParamHandler)
	for p, how := range found {
		fn := p.Parent()
		obj := a.ownFunc(fn)
		if obj == nil {
			continue
		}
		for i, q := range fn.Params {
			if q == p {
				out[obj] = append(out[obj], ParamHandler{Param: i, How: how})
			}
		}
	}
	for _, hs := range out {
		sort.Slice(hs, func(i, j int) bool { return hs[i].Param < hs[j].Param })
	}
	return out
}

// paramsOf records the parameters a handler-field store writes, or a call
// of a func value in a handler-reached function calls.
func (a *graph) paramsOf(instr ssa.Instruction, found map[*ssa.Parameter]string) {
	switch instr := instr.(type) {
	case *ssa.Store:
		if how := storedHandler(instr); how != "" {
			for _, p := range paramSources(instr.Val) {
				found[p] = how
			}
		}
	case ssa.CallInstruction:
		common := instr.Common()
		fn := instr.Parent()
		if common.IsInvoke() || common.StaticCallee() != nil || !a.handler.Reached(fn) {
			return
		}
		r := a.handler.Root(fn)
		for _, p := range paramSources(common.Value) {
			if _, ok := found[p]; !ok {
				found[p] = a.roots[r].how
			}
		}
	}
}

// paramSources returns the parameters v may be, through conversions, phis,
// local variables and the variables closures capture (a captured
// parameter is copied into a variable the closure loads from).
func paramSources(v ssa.Value) []*ssa.Parameter {
	var out []*ssa.Parameter
	seen := make(map[ssa.Value]bool)
	var visit func(v ssa.Value)
	visit = func(v ssa.Value) {
		if v == nil || seen[v] {
			return
		}
		seen[v] = true
		switch x := unconvert(v).(type) {
		case *ssa.Parameter:
			out = append(out, x)
		case *ssa.Phi:
			for _, e := range x.Edges {
				visit(e)
			}
		case *ssa.FreeVar:
			for _, b := range bindings(x) {
				visit(b)
			}
		case *ssa.UnOp:
			if x.Op == token.MUL {
				visit(x.X)
			}
		case *ssa.Alloc:
			for _, ref := range *x.Referrers() {
				if st, ok := ref.(*ssa.Store); ok && st.Addr == x {
					visit(st.Val)
				}
			}
		}
	}
	visit(v)
	return out
}

// bindings returns the values bound to a closure's free variable where
// the closure is made.
func bindings(fv *ssa.FreeVar) []ssa.Value {
	fn := fv.Parent()
	idx := -1
	for i, f := range fn.FreeVars {
		if f == fv {
			idx = i
		}
	}
	var out []ssa.Value
	if fn.Parent() == nil || idx < 0 {
		return nil
	}
	for _, b := range fn.Parent().Blocks {
		for _, instr := range b.Instrs {
			if mc, ok := instr.(*ssa.MakeClosure); ok && mc.Fn == fn && idx < len(mc.Bindings) {
				out = append(out, mc.Bindings[idx])
			}
		}
	}
	return out
}
