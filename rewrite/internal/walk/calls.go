package walk

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/queuefix/queuefix/rewrite/internal/match"
)

// maxDepth bounds inlining: a worker, the closure it calls, the sync
// function, a helper.
const maxDepth = 4

// call runs a call, with lhs the variables its results are assigned to.
// The order of the cases is the meaning: a queue method is the item's
// fate; a closure called at once, or a helper that requeues or forgets
// the item, is followed path by path even when it also returns an error;
// any other call is summed up (effects.go), and when it is handed the
// item and returns an error, the paths fork on that error.
func (wk *walker) call(fr *frame, call *ast.CallExpr, lhs []ast.Expr, in []*Path) ([]*Path, error) {
	if wk.mode == Done {
		var err error
		if call, in, err = wk.argCalls(fr, call, in); err != nil {
			return nil, err
		}
	}
	if name, recv := match.CalledQueueMethod(fr.info, call); name != "" {
		in, err := wk.effects(fr, &ast.BlockStmt{List: exprStmts(call.Args)}, "an argument", in)
		if err != nil {
			return nil, err
		}
		wk.queueCall(fr, name, recv, call, in)
		return in, nil
	}
	if isPanic(fr.info, call) {
		for _, p := range in {
			p.panicked, p.End = true, call.Pos()
			p.Dones += len(p.deferred) // a panic runs every pending defer
			p.deferred = nil
		}
		wk.ended = append(wk.ended, in...)
		return nil, nil
	}
	if lit, ok := ast.Unparen(call.Fun).(*ast.FuncLit); ok {
		return wk.inline(fr, lit.Type, lit.Body, call, lhs, in, fr.queue, fr.queueRef)
	}
	if decl, fi := wk.helper(fr, call); decl != nil {
		return wk.inlineHelper(fr, decl, fi, call, lhs, in)
	}
	if wk.mode == Done {
		wk.foreignDone(fr, call, in)
	}
	in, err := wk.effects(fr, call, "a call", in)
	if err != nil {
		return nil, err
	}
	return wk.afterCall(fr, call, lhs, in), nil
}

// afterCall records a call that the walk does not enter: a call handed
// the item is the item's processing (the sync); its error forks the paths.
func (wk *walker) afterCall(fr *frame, call *ast.CallExpr, lhs []ast.Expr, in []*Path) []*Path {
	sync := wk.isSync(fr, call)
	if errVar := errResult(fr.info, lhs); errVar != nil && sync {
		return wk.forkSync(fr, call, errVar, in, false)
	}
	for _, l := range lhs {
		if v := match.IdentObj(fr.info, l); v != nil {
			for _, p := range in {
				delete(p.bools, v)
				if match.IsErrorType(v.Type()) {
					p.errs[v] = errUnknown
					delete(p.syncs, v)
				}
			}
		}
	}
	if sync {
		name := exprString(wk.s.fileOf(call.Fun.Pos()), call.Fun)
		for _, p := range in {
			p.Synced, p.SyncName, p.trail = call.Pos(), name, nil
		}
	}
	return in
}

// queueCall records Forget and requeues of the item on each path. An
// Add of the item to another queue field is no requeue on this one; a
// queue the walk cannot tell apart from the worker's counts as its own.
func (wk *walker) queueCall(fr *frame, name string, recv ast.Expr, call *ast.CallExpr, in []*Path) {
	if len(call.Args) == 0 || !fr.mentions(call.Args[0]) {
		return
	}
	var eff effect
	queueEffect(name, &eff)
	if (eff.requeues || eff.dones) && wk.otherQueue(fr, recv) {
		return
	}
	for _, p := range in {
		if eff.dones {
			p.Dones++
		}
		if eff.forgets {
			p.Forgets++
		}
		p.Requeued = p.Requeued || eff.requeues
		p.Limited = p.Limited || eff.requeues && name == "AddRateLimited"
	}
}

// otherQueue reports whether recv is a queue field other than the one the
// worker takes items from, when the worker's field is private (fields.go):
// the queue in it can then be reached through no other field.
func (wk *walker) otherQueue(fr *frame, recv ast.Expr) bool {
	mine := queueField(wk.w.pkg.TypesInfo, wk.w.Queue)
	theirs := queueField(fr.info, recv)
	return mine != nil && theirs != nil && mine != theirs && wk.uses[mine].private(mine)
}

// isSync reports whether call processes the item: it is handed the item
// itself, or a value computed from it when the callee is analysed code (a
// lister's Get(name) is not the sync). Formatting and key splitting are
// not processing.
func (wk *walker) isSync(fr *frame, call *ast.CallExpr) bool {
	fn := match.CalleeFunc(fr.info, call)
	if fn != nil && keepsNothing(fn) || match.IsConversion(fr.info, call) {
		return false
	}
	v := fr.view()
	if v.handsItem(call) {
		return true
	}
	if fn == nil || !v.handsDerived(call) {
		return false
	}
	decl, _ := wk.sc.decl(fn.Origin())
	return decl != nil
}

// forkSync splits each path at a call on the item that returns an error:
// one path where the error is nil, one where it is not.
func (wk *walker) forkSync(fr *frame, call *ast.CallExpr, errVar types.Object, in []*Path, asReturn bool) []*Path {
	if errVar == nil {
		errVar = types.NewVar(call.Pos(), nil, "", types.Universe.Lookup("error").Type())
	}
	name := exprString(wk.s.fileOf(call.Fun.Pos()), call.Fun)
	var out []*Path
	for _, p := range in {
		for _, v := range []errVal{errNil, errNonNil} {
			q := p.clone()
			q.errs[errVar], q.syncs[errVar] = v, true
			q.Synced, q.SyncName, q.trail = call.Pos(), name, nil
			if asReturn {
				q.ret = v
			}
			out = append(out, q)
		}
	}
	return out
}

// inline runs a function body called with call's arguments in a new frame
// and returns the paths after the call.
func (wk *walker) inline(fr *frame, ft *ast.FuncType, body *ast.BlockStmt, call *ast.CallExpr, lhs []ast.Expr, in []*Path, queue ast.Expr, ref *queueRef) ([]*Path, error) {
	if fr.depth+1 >= maxDepth {
		return nil, unprovable("the item is handled too deep in nested calls")
	}
	in, err := wk.effects(fr, &ast.BlockStmt{List: exprStmts(call.Args)}, "an argument", in)
	if err != nil {
		return nil, err
	}
	fi := wk.s.fileOf(body.Pos())
	inner := &frame{
		fi:       fi,
		info:     fi.Pkg.TypesInfo,
		sc:       wk.sc,
		parent:   fr,
		items:    map[types.Object]bool{},
		derived:  map[types.Object]bool{},
		queue:    queue,
		queueRef: ref,
		depth:    fr.depth + 1,
		shared:   wk.nextShared,
	}
	wk.nextShared = false
	if _, isLit := ast.Unparen(call.Fun).(*ast.FuncLit); isLit {
		inner.items, inner.derived = fr.items, fr.derived // a closure sees the worker's variables
	}
	wk.bindRecv(fr, inner, call)
	wk.bindParams(fr, inner, ft, call, in)
	falls, err := wk.block(inner, body, 0, in)
	if err != nil {
		return nil, err
	}
	out := append(inner.returned, falls...)
	runDefers(inner, out)
	if errVar := errResult(fr.info, lhs); errVar != nil {
		for _, p := range out {
			p.errs[errVar] = p.ret
		}
		wk.syncedBy(fr, call, errVar, out)
	}
	return out, nil
}

// syncedBy records, for messages, that a followed helper handed the item
// (a sync that also requeues) decided the error its caller checks.
func (wk *walker) syncedBy(fr *frame, call *ast.CallExpr, errVar types.Object, out []*Path) {
	if _, isLit := ast.Unparen(call.Fun).(*ast.FuncLit); isLit || !fr.view().handsItem(call) {
		return
	}
	name := exprString(wk.s.fileOf(call.Fun.Pos()), call.Fun)
	for _, p := range out {
		p.syncs[errVar], p.Synced, p.SyncName = true, call.Pos(), name
	}
}

// bindRecv makes a method's receiver hold the item when it is called on
// the item.
func (wk *walker) bindRecv(caller, callee *frame, call *ast.CallExpr) {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || !caller.isItem(sel.X) {
		return
	}
	fn := match.CalleeFunc(caller.info, call)
	if fn == nil {
		return
	}
	decl, _ := wk.sc.decl(fn.Origin())
	if decl == nil || decl.Recv == nil {
		return
	}
	for _, n := range decl.Recv.List[0].Names {
		callee.items[callee.info.ObjectOf(n)] = true
	}
}

// bindParams gives the callee's parameters what the arguments carry: the
// item, values computed from it, and known error values.
func (wk *walker) bindParams(caller, callee *frame, ft *ast.FuncType, call *ast.CallExpr, in []*Path) {
	i := 0
	for _, field := range ft.Params.List {
		names := field.Names
		if len(names) == 0 {
			i++
			continue
		}
		for _, name := range names {
			if i >= len(call.Args) {
				return
			}
			wk.bindParam(caller, callee, callee.info.ObjectOf(name), call.Args[i], in)
			i++
		}
	}
}

func (wk *walker) bindParam(caller, callee *frame, param types.Object, arg ast.Expr, in []*Path) {
	if param == nil {
		return
	}
	switch {
	case caller.isItem(arg):
		callee.items[param] = true
	case caller.mentions(arg):
		callee.derived[param] = true
	}
	if v := match.IdentObj(caller.info, arg); v != nil && match.IsErrorType(v.Type()) {
		for _, p := range in {
			p.errs[param] = p.errs[v]
		}
	}
}

// helper returns the declaration of the function or method call calls
// when it is declared in an analysed file and requeues or forgets the
// item (or, handed an error, calls Forget or AddRateLimited at all): the
// walk follows such helpers path by path.
func (wk *walker) helper(fr *frame, call *ast.CallExpr) (*ast.FuncDecl, *File) {
	fn := match.CalleeFunc(fr.info, call)
	if fn == nil {
		return nil, nil
	}
	decl, fi := wk.sc.decl(fn.Origin())
	if decl == nil {
		return nil, nil
	}
	v := fr.view()
	if wk.mode == Done {
		return wk.doneHelper(v, fn, call, decl, fi)
	}
	if v.handsItem(call) {
		if eff, _ := wk.sc.summary(fn, v.mask(fn, call)); eff.touches() {
			return decl, fi
		}
	}
	if v.handsDerived(call) && v.derivedTouch(call).touches() {
		return decl, fi
	}
	if wk.passesErr(fr, call) && retries(fi.Pkg.TypesInfo, decl.Body) {
		return decl, fi
	}
	return nil, nil
}

// inlineHelper runs a helper's body in a frame of its own.
// A Forget may go into a helper only when the helper decides the item's
// fate itself (handleErr calls Forget or AddRateLimited) or the walked
// call is its only call: a Forget in a sync that other code calls too
// would run on their paths as well.
func (wk *walker) inlineHelper(fr *frame, decl *ast.FuncDecl, fi *File, call *ast.CallExpr, lhs []ast.Expr, in []*Path) ([]*Path, error) {
	wk.nextShared = (wk.mode == Done || !retries(fi.Pkg.TypesInfo, decl.Body)) && !wk.onlyCall(fi, decl)
	// The caller's own queue, handed on through the same variable, is the
	// surest name: the first queue call in the body may be on another
	// field of the same type (c.retryQueue).
	if ref := wk.passRef(fr, call, decl, fi.Pkg.TypesInfo); ref != nil {
		return wk.inline(fr, decl.Type, decl.Body, call, lhs, in, nil, ref)
	}
	queue := wk.queueIn(fi.Pkg.TypesInfo, decl.Body)
	return wk.inline(fr, decl.Type, decl.Body, call, lhs, in, queue, nil)
}

// onlyCall reports whether the function declared by decl is used once in
// the analysed code (the call being walked).
func (wk *walker) onlyCall(fi *File, decl *ast.FuncDecl) bool {
	fn, ok := fi.Pkg.TypesInfo.Defs[decl.Name].(*types.Func)
	return ok && len(wk.sc.s.funcs().uses[fn]) == 1
}

// passesErr reports whether call passes an error variable.
func (wk *walker) passesErr(fr *frame, call *ast.CallExpr) bool {
	for _, arg := range call.Args {
		if v := match.IdentObj(fr.info, arg); v != nil && match.IsErrorType(v.Type()) {
			return true
		}
	}
	return false
}

// retries reports whether body calls Forget or AddRateLimited
// (handleErr, processItem).
func retries(info *types.Info, body ast.Node) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			name, _ := match.CalledQueueMethod(info, call)
			found = found || name == "Forget" || name == "AddRateLimited"
		}
		return !found
	})
	return found
}

// queueIn returns the receiver of the first rate-limiting queue method
// called in body whose queue has the worker's queue type.
func (wk *walker) queueIn(info *types.Info, body ast.Node) ast.Expr {
	want := wk.w.pkg.TypesInfo.TypeOf(wk.w.Queue)
	var found ast.Expr
	ast.Inspect(body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || found != nil {
			return found == nil
		}
		if name, recv := match.CalledQueueMethod(info, call); name != "" && types.Identical(info.TypeOf(recv), want) {
			found = recv
		}
		return true
	})
	return found
}

// mentionsForget reports whether a deferred call calls Forget.
func (wk *walker) mentionsForget(fr *frame, s *ast.DeferStmt) bool {
	found := false
	ast.Inspect(s, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if name, _ := match.CalledQueueMethod(fr.info, call); name == "Forget" {
				found = true
			}
		}
		return !found
	})
	return found
}

// funcDeclAt returns the function declaration whose name is at pos.
func funcDeclAt(f *ast.File, pos token.Pos) *ast.FuncDecl {
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Pos() == pos {
			return fd
		}
	}
	return nil
}

func isPanic(info *types.Info, call *ast.CallExpr) bool {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return false
	}
	b, ok := info.Uses[id].(*types.Builtin)
	return ok && b.Name() == "panic"
}

// errResult returns the error variable among lhs (the last one), if any.
func errResult(info *types.Info, lhs []ast.Expr) types.Object {
	if len(lhs) == 0 {
		return nil
	}
	v := match.IdentObj(info, lhs[len(lhs)-1])
	if v == nil || !match.IsErrorType(v.Type()) {
		return nil
	}
	return v
}
