package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
)

// maxDepth bounds inlining: a worker, the closure it calls, a helper.
const maxDepth = 3

// call runs a call, with lhs the variables its results are assigned to.
func (wk *walker) call(fr *frame, call *ast.CallExpr, lhs []ast.Expr, in []*path) ([]*path, error) {
	if name, _ := calledQueueMethod(fr.info, call); name != "" {
		wk.queueCall(fr, name, call, in)
		return in, nil
	}
	if isPanic(fr.info, call) {
		for _, p := range in {
			p.requeued, p.end = true, call.Pos()
		}
		wk.ended = append(wk.ended, in...)
		return nil, nil
	}
	if lit, ok := ast.Unparen(call.Fun).(*ast.FuncLit); ok {
		return wk.inline(fr, lit.Type, lit.Body, call, lhs, in, fr.queue)
	}
	if decl, fi := wk.helper(fr, call); decl != nil {
		return wk.inlineHelper(fr, decl, fi, call, lhs, in)
	}
	if errVar := errResult(fr.info, lhs); errVar != nil && wk.onItem(fr, call) {
		return wk.forkSync(fr, call, errVar, in, false), nil
	}
	for _, l := range lhs {
		if v := identObj(fr.info, l); v != nil && isErrorType(v.Type()) {
			for _, p := range in {
				p.errs[v] = errUnknown
				delete(p.syncs, v)
			}
		}
	}
	return in, nil
}

// queueCall records Forget and AddRateLimited of the item on each path.
func (wk *walker) queueCall(fr *frame, name string, call *ast.CallExpr, in []*path) {
	if len(call.Args) == 0 || !fr.mentions(call.Args[0]) {
		return
	}
	for _, p := range in {
		switch name {
		case "Forget":
			p.forgot = true
		case "AddRateLimited":
			p.requeued = true
		}
	}
}

// onItem reports whether call passes the item, or a value computed from
// it, as an argument.
func (wk *walker) onItem(fr *frame, call *ast.CallExpr) bool {
	for _, arg := range call.Args {
		if fr.mentions(arg) {
			return true
		}
	}
	return false
}

// forkSync splits each path at a call on the item that returns an error:
// one path where the error is nil, one where it is not.
func (wk *walker) forkSync(fr *frame, call *ast.CallExpr, errVar types.Object, in []*path, asReturn bool) []*path {
	if errVar == nil {
		errVar = types.NewVar(call.Pos(), nil, "", types.Universe.Lookup("error").Type())
	}
	name := exprString(wk.a.fileOf(call.Fun.Pos()), call.Fun)
	var out []*path
	for _, p := range in {
		for _, v := range []errVal{errNil, errNonNil} {
			q := p.clone()
			q.errs[errVar], q.syncs[errVar] = v, true
			q.synced, q.syncName, q.trail = call.Pos(), name, nil
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
func (wk *walker) inline(fr *frame, ft *ast.FuncType, body *ast.BlockStmt, call *ast.CallExpr, lhs []ast.Expr, in []*path, queue ast.Expr) ([]*path, error) {
	if fr.depth+1 >= maxDepth {
		return nil, unprovable("the item is handled too deep in nested calls")
	}
	inner := &frame{
		fi:      wk.a.fileOf(body.Pos()),
		info:    fr.info,
		parent:  fr,
		items:   map[types.Object]bool{},
		derived: map[types.Object]bool{},
		queue:   queue,
		depth:   fr.depth + 1,
	}
	wk.bindParams(fr, inner, ft, call, in)
	falls, err := wk.block(inner, body, 0, in)
	if err != nil {
		return nil, err
	}
	out := append(inner.returned, falls...)
	if errVar := errResult(fr.info, lhs); errVar != nil {
		for _, p := range out {
			p.errs[errVar] = p.ret
		}
	}
	return out, nil
}

// bindParams gives the callee's parameters what the arguments carry: the
// item, values computed from it, and known error values.
func (wk *walker) bindParams(caller, callee *frame, ft *ast.FuncType, call *ast.CallExpr, in []*path) {
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

func (wk *walker) bindParam(caller, callee *frame, param types.Object, arg ast.Expr, in []*path) {
	if param == nil {
		return
	}
	switch {
	case caller.isItem(arg):
		callee.items[param] = true
	case caller.mentions(arg):
		callee.derived[param] = true
	}
	if v := identObj(caller.info, arg); v != nil && isErrorType(v.Type()) {
		for _, p := range in {
			p.errs[param] = p.errs[v]
		}
	}
}

// helper returns the declaration of the function or method call calls
// when it is declared in a target file, handles the queue itself, and
// receives the item or an error; the walk follows such helpers.
func (wk *walker) helper(fr *frame, call *ast.CallExpr) (*ast.FuncDecl, *fileInfo) {
	fn := calleeFunc(fr.info, call)
	if fn == nil || !wk.passesItemOrErr(fr, call) {
		return nil, nil
	}
	fi := wk.a.fileOf(fn.Pos())
	if fi == nil {
		return nil, nil
	}
	decl := funcDeclAt(fi.syntax, fn.Pos())
	if decl == nil || decl.Body == nil || !retries(fi.pkg.TypesInfo, decl.Body) {
		return nil, nil
	}
	return decl, fi
}

// inlineHelper runs a helper's body in a frame of its own.
func (wk *walker) inlineHelper(fr *frame, decl *ast.FuncDecl, fi *fileInfo, call *ast.CallExpr, lhs []ast.Expr, in []*path) ([]*path, error) {
	if fi.pkg.TypesInfo != fr.info {
		return in, nil // another package: its Forget is its own business
	}
	return wk.inline(fr, decl.Type, decl.Body, call, lhs, in, wk.queueIn(fi.pkg.TypesInfo, decl.Body))
}

// passesItemOrErr reports whether call passes the item, a value computed
// from it, or an error variable.
func (wk *walker) passesItemOrErr(fr *frame, call *ast.CallExpr) bool {
	for _, arg := range call.Args {
		if fr.mentions(arg) {
			return true
		}
		if v := identObj(fr.info, arg); v != nil && isErrorType(v.Type()) {
			return true
		}
	}
	return false
}

// retries reports whether body decides the item's fate: it calls Forget
// or AddRateLimited (handleErr, processItem). Other helpers, the sync
// function among them, are calls whose error the walk forks on.
func retries(info *types.Info, body ast.Node) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			name, _ := calledQueueMethod(info, call)
			found = found || name == "Forget" || name == "AddRateLimited"
		}
		return !found
	})
	return found
}

// queueIn returns the receiver of the first rate-limiting queue method
// called in body whose queue has the worker's queue type.
func (wk *walker) queueIn(info *types.Info, body ast.Node) ast.Expr {
	want := wk.w.pkg.TypesInfo.TypeOf(wk.w.queue)
	var found ast.Expr
	ast.Inspect(body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || found != nil {
			return found == nil
		}
		if name, recv := calledQueueMethod(info, call); name != "" && types.Identical(info.TypeOf(recv), want) {
			found = recv
		}
		return true
	})
	return found
}

// relevant reports whether a statement the walk does not enter handles the
// item: calls a queue method on it, returns, or calls something on it that
// returns an error.
func (wk *walker) relevant(fr *frame, s ast.Stmt) bool {
	found := false
	ast.Inspect(s, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			found = true
		case *ast.AssignStmt:
			found = errResult(fr.info, n.Lhs) != nil && fr.mentions(n)
		case *ast.CallExpr:
			if name, _ := calledQueueMethod(fr.info, n); name != "" && len(n.Args) > 0 && fr.mentions(n.Args[0]) {
				found = true
			}
		}
		return !found
	})
	return found
}

// mentionsForget reports whether a deferred call calls Forget.
func (wk *walker) mentionsForget(fr *frame, s *ast.DeferStmt) bool {
	found := false
	ast.Inspect(s, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if name, _ := calledQueueMethod(fr.info, call); name == "Forget" {
				found = true
			}
		}
		return !found
	})
	return found
}

// calleeFunc returns the function or method a call calls statically.
func calleeFunc(info *types.Info, call *ast.CallExpr) *types.Func {
	var id *ast.Ident
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		id = fun
	case *ast.SelectorExpr:
		if s := info.Selections[fun]; s != nil && s.Kind() != types.MethodVal {
			return nil
		}
		if s := info.Selections[fun]; s != nil {
			if _, iface := s.Recv().Underlying().(*types.Interface); iface {
				return nil
			}
		}
		id = fun.Sel
	default:
		return nil
	}
	fn, _ := info.Uses[id].(*types.Func)
	return fn
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
	v := identObj(info, lhs[len(lhs)-1])
	if v == nil || !isErrorType(v.Type()) {
		return nil
	}
	return v
}

// identObj returns the variable an identifier (not _) denotes.
func identObj(info *types.Info, e ast.Expr) types.Object {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok || id.Name == "_" {
		return nil
	}
	v, _ := info.ObjectOf(id).(*types.Var)
	if v == nil {
		return nil
	}
	return v
}

func isErrorType(t types.Type) bool {
	return t != nil && types.Identical(t, types.Universe.Lookup("error").Type())
}

func isNil(info *types.Info, e ast.Expr) bool {
	tv, ok := info.Types[ast.Unparen(e)]
	return ok && tv.IsNil()
}

// fileOf returns the indexed file holding pos.
func (a *analysis) fileOf(pos token.Pos) *fileInfo {
	tf := a.fset.File(pos)
	if tf == nil {
		return nil
	}
	return a.files[tf.Name()]
}

// exprString returns the source text of e.
func exprString(fi *fileInfo, e ast.Node) string {
	if fi == nil || fi.source() == nil {
		return ""
	}
	tf := fi.pkg.Fset.File(e.Pos())
	return string(fi.source()[tf.Offset(e.Pos()):tf.Offset(e.End())])
}
