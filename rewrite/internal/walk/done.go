package walk

import (
	"go/ast"
	"go/types"
	"slices"

	"github.com/queuefix/queuefix/rewrite/internal/match"
)

// doneHelper returns a helper's declaration when it is handed the item
// (or a value computed from it) and calls Done of it: the done walk
// follows it path by path.
func (wk *walker) doneHelper(v *view, fn *types.Func, call *ast.CallExpr, decl *ast.FuncDecl, fi *File) (*ast.FuncDecl, *File) {
	if v.handsItem(call) {
		if eff, _ := wk.sc.summary(fn, v.mask(fn, call)); eff.dones {
			return decl, fi
		}
	}
	if v.handsDerived(call) && v.derivedTouch(call).dones {
		return decl, fi
	}
	return nil, nil
}

// deferStmt runs a defer for the done walk: a deferred Done of the item
// is pending on the paths until its frame returns (runDefers) or panics.
func (wk *walker) deferStmt(fr *frame, s *ast.DeferStmt, in []*Path) ([]*Path, error) {
	n, ok := wk.deferredDones(fr, s.Call)
	if !ok {
		return nil, unprovable("Done is called conditionally in a deferred function at " + wk.s.line(s.Pos()))
	}
	if n == 0 {
		return wk.effects(fr, s, "a deferred call", in)
	}
	if fr.top && wk.w.block != wk.w.body {
		return nil, unprovable("Done is deferred at " + wk.s.line(s.Pos()) + " in a block that is not the function's body: it runs when the function returns")
	}
	for _, p := range in {
		for range n {
			p.deferred = append(p.deferred, fr)
		}
	}
	return in, nil
}

// deferredDones counts the Done calls of the item a deferred call makes
// for sure: `defer q.Done(item)`, or a func literal whose body calls it
// as a statement of its own. A Done deeper in the literal is not sure.
func (wk *walker) deferredDones(fr *frame, call *ast.CallExpr) (int, bool) {
	if wk.isDone(fr, call) {
		return 1, true
	}
	lit, ok := ast.Unparen(call.Fun).(*ast.FuncLit)
	if !ok || len(call.Args) > 0 {
		return 0, true
	}
	n, all := 0, 0
	for _, st := range lit.Body.List {
		if es, ok := st.(*ast.ExprStmt); ok {
			if c, ok := ast.Unparen(es.X).(*ast.CallExpr); ok && wk.isDone(fr, c) {
				n++
			}
		}
	}
	ast.Inspect(lit.Body, func(x ast.Node) bool {
		if c, ok := x.(*ast.CallExpr); ok && wk.isDone(fr, c) {
			all++
		}
		return true
	})
	return n, n == all
}

// isDone reports whether call is Done of the item on the worker's queue.
func (wk *walker) isDone(fr *frame, call *ast.CallExpr) bool {
	name, recv := match.CalledQueueMethod(fr.info, call)
	return name == "Done" && len(call.Args) == 1 && fr.mentions(call.Args[0]) && !wk.otherQueue(fr, recv)
}

// runDefers runs, on the paths that leave a frame, the Done calls the
// frame deferred.
func runDefers(fr *frame, out []*Path) {
	for _, p := range out {
		n := len(p.deferred)
		p.deferred = slices.DeleteFunc(p.deferred, func(f *frame) bool { return f == fr })
		p.Dones += n - len(p.deferred)
	}
}

// argCalls runs first, for the done walk, the calls among call's
// arguments that call Done of the item (c.handleErr(c.process(key), key):
// arguments are evaluated before the call), and returns call with those
// arguments blanked out, so that they are not counted again.
func (wk *walker) argCalls(fr *frame, call *ast.CallExpr, in []*Path) (*ast.CallExpr, []*Path, error) {
	var args []ast.Expr
	for i, arg := range call.Args {
		inner, ok := ast.Unparen(arg).(*ast.CallExpr)
		if !ok || !fr.view().uses(inner).dones {
			continue
		}
		var err error
		if in, err = wk.call(fr, inner, nil, in); err != nil {
			return nil, nil, err
		}
		if args == nil {
			args = slices.Clone(call.Args)
		}
		args[i] = &ast.Ident{Name: "_", NamePos: arg.Pos()}
	}
	if args == nil {
		return call, in, nil
	}
	cp := *call
	cp.Args = args
	return &cp, in, nil
}

// foreignDone lets the item escape, for the done walk, into a method of
// code that is not analysed whose receiver holds a work queue (a base
// controller of a library that finishes the item): it may call Done, and
// a Done inserted after it would run twice.
func (wk *walker) foreignDone(fr *frame, call *ast.CallExpr, in []*Path) {
	fn := match.CalleeFunc(fr.info, call)
	if fn == nil || keepsNothing(fn) || !fr.view().handsItem(call) {
		return
	}
	if decl, _ := wk.sc.decl(fn.Origin()); decl != nil {
		return // analysed: the summary says whether it calls Done
	}
	recv := fn.Signature().Recv()
	if recv == nil || !holdsQueue(recv.Type()) {
		return
	}
	for _, p := range in {
		p.escapes("it is handed to "+wk.s.text(call.Fun)+", code queuefix does not analyse whose receiver holds a work queue", call.Pos())
	}
}

// holdsQueue reports whether t (or what it points to) is, embeds or has
// a field of a work queue type.
func holdsQueue(t types.Type) bool {
	if match.HasQueueMethod(t, "Done") {
		return true
	}
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for i := range st.NumFields() {
		if match.HasQueueMethod(st.Field(i).Type(), "Done") {
			return true
		}
	}
	return false
}

// goStmt runs a go statement for the done walk. The item escapes into
// the goroutine; when the goroutine's func literal defers Done of it at
// its top level, and calls Done nowhere else, Done runs once on every
// path of the goroutine, so the path has its Done.
func (wk *walker) goStmt(fr *frame, s *ast.GoStmt, in []*Path) ([]*Path, error) {
	n := 0
	if lit, ok := ast.Unparen(s.Call.Fun).(*ast.FuncLit); ok {
		n = wk.deferredInGoroutine(fr, lit)
	}
	if n == 0 {
		return wk.effects(fr, s, "a statement", in)
	}
	for _, p := range in {
		p.Dones += n
	}
	eff := fr.view().uses(s)
	for _, p := range in {
		p.escapes(eff.escape, eff.at)
	}
	return in, nil
}

// deferredInGoroutine counts the Dones of the item a goroutine's literal
// defers at its top level, or 0 when it calls Done anywhere else too.
func (wk *walker) deferredInGoroutine(fr *frame, lit *ast.FuncLit) int {
	n, all := 0, 0
	for _, st := range lit.Body.List {
		if d, ok := st.(*ast.DeferStmt); ok {
			if k, sure := wk.deferredDones(fr, d.Call); sure {
				n += k
			}
		}
	}
	ast.Inspect(lit.Body, func(x ast.Node) bool {
		if c, ok := x.(*ast.CallExpr); ok && wk.isDone(fr, c) {
			all++
		}
		return true
	})
	if n != all {
		return 0
	}
	return n
}
