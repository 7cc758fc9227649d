package walk

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/queuefix/queuefix/rewrite/internal/match"
)

// A queueRef names the worker's queue in a helper whose body never calls
// a queue method itself (handleErr that retries through c.requeue): the
// caller's queue is a chain of field selections on a variable, the call
// hands that variable to the helper (as the receiver or an argument of
// the identical type, so the same selections pick the same fields), and
// the helper never assigns the variable. Any other shape has no ref and
// the rule declines to place Forget in the helper.
type queueRef struct {
	root   *types.Var // the helper's receiver or parameter
	fields []string   // the selections after it: queue in c.queue
}

// text returns the ref spelled in the helper: c.queue.
func (r *queueRef) text() string {
	return r.root.Name() + "." + strings.Join(r.fields, ".")
}

// callerRef returns the frame's queue as a variable and field selections,
// or nil when it is not one.
func (fr *frame) callerRef() *queueRef {
	if fr.queueRef != nil {
		return fr.queueRef
	}
	if fr.queue == nil {
		return nil
	}
	info := fr.sc.s.fileOf(fr.queue.Pos()).Pkg.TypesInfo
	var fields []string
	e := ast.Unparen(fr.queue)
	for {
		sel, ok := e.(*ast.SelectorExpr)
		if !ok {
			break
		}
		if s := info.Selections[sel]; s == nil || s.Kind() != types.FieldVal {
			return nil // a method value or qualified name, not a field
		}
		fields = append([]string{sel.Sel.Name}, fields...)
		e = ast.Unparen(sel.X)
	}
	id, ok := e.(*ast.Ident)
	if !ok || len(fields) == 0 {
		return nil
	}
	v, ok := info.Uses[id].(*types.Var)
	if !ok || v.IsField() || v.Parent() == v.Pkg().Scope() {
		return nil // only a local variable, receiver or parameter is passed on
	}
	return &queueRef{root: v, fields: fields}
}

// passRef returns the caller's queue as the helper decl names it when
// call hands the helper the variable the caller's queue hangs off, or nil.
func (wk *walker) passRef(fr *frame, call *ast.CallExpr, decl *ast.FuncDecl, info *types.Info) *queueRef {
	ref := fr.callerRef()
	if ref == nil {
		return nil
	}
	v := passedTo(fr.info, info, call, decl, ref.root)
	if v == nil || v.Name() == "" || v.Name() == "_" || !types.Identical(v.Type(), ref.root.Type()) {
		return nil // a copy or conversion of the caller's variable, or no name
	}
	if assigns(info, decl.Body, v) {
		return nil // the helper may point it elsewhere before the Forget
	}
	return &queueRef{root: v, fields: ref.fields}
}

// passedTo returns the receiver or parameter of decl that call hands root.
func passedTo(callerInfo, info *types.Info, call *ast.CallExpr, decl *ast.FuncDecl, root *types.Var) *types.Var {
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && decl.Recv != nil {
		s := callerInfo.Selections[sel]
		if s != nil && s.Kind() == types.MethodVal && len(s.Index()) == 1 && match.IdentObj(callerInfo, sel.X) == root {
			return namedVar(info, decl.Recv.List[0].Names)
		}
	}
	if call.Ellipsis.IsValid() {
		return nil
	}
	i := 0
	for _, field := range decl.Type.Params.List {
		for _, name := range field.Names {
			if i < len(call.Args) && match.IdentObj(callerInfo, call.Args[i]) == root {
				return namedVar(info, []*ast.Ident{name})
			}
			i++
		}
		if len(field.Names) == 0 {
			i++
		}
	}
	return nil
}

// namedVar returns the variable the first of names declares, or nil.
func namedVar(info *types.Info, names []*ast.Ident) *types.Var {
	if len(names) == 0 {
		return nil
	}
	v, _ := info.Defs[names[0]].(*types.Var)
	return v
}

// assigns reports whether body assigns v or takes its address.
func assigns(info *types.Info, body ast.Node, v *types.Var) bool {
	found := false
	is := func(e ast.Expr) bool { return match.IdentObj(info, e) == v }
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				found = found || is(l)
			}
		case *ast.IncDecStmt:
			found = found || is(n.X)
		case *ast.RangeStmt:
			found = found || is(n.Key) || is(n.Value)
		case *ast.UnaryExpr:
			found = found || n.Op == token.AND && is(n.X)
		}
		return !found
	})
	return found
}
