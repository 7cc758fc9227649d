package walk

import (
	"go/ast"
	"go/types"

	"github.com/queuefix/queuefix/rewrite/internal/match"
)

// A queue field is private when the queue in it can only be reached
// through that field: it is unexported and not embedded, every value the
// targets store in it is a fresh queue from a workqueue constructor, and
// every other use of it is a method call on it. Two controllers that share
// one queue through two fields, or a retry helper handed c.queue, make the
// field not private.
type fieldUse struct {
	stores  int // assignments and composite literal elements
	fresh   int // of which store a workqueue constructor's result
	escapes bool
}

// queueFieldUses classifies every use, in f, of a struct field whose type
// is a work queue, and hands every call in f to onCall (one walk of the
// syntax for the forget rule's two questions).
func queueFieldUses(info *types.Info, f *ast.File, uses map[*types.Var]*fieldUse, onCall func(*ast.CallExpr)) {
	use := func(v *types.Var) *fieldUse {
		u := uses[v]
		if u == nil {
			u = new(fieldUse)
			uses[v] = u
		}
		return u
	}
	store := func(v *types.Var, value ast.Expr) {
		u := use(v)
		u.stores++
		if value != nil && isQueueConstructorCall(info, value) {
			u.fresh++
		}
	}
	var stack []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if v := queueFieldOf(info, n); v != nil {
				switch parent, value := fieldContext(stack, n); parent {
				case "call":
				case "store":
					store(v, value)
				default:
					use(v).escapes = true
				}
			}
		case *ast.CompositeLit:
			literalStores(info, n, store)
		case *ast.CallExpr:
			if tv, ok := info.Types[n.Fun]; ok && tv.IsType() && len(n.Args) == 1 {
				converted(info, n.Args[0], use) // jr(*c) moves c.queue into jr.queue
			}
			onCall(n)
		}
		stack = append(stack, n)
		return true
	})
}

// converted marks the queue fields of a converted struct (or pointer to
// one) as escaping: the conversion hands the queue to another type's field
// without an assignment the walk can see.
func converted(info *types.Info, x ast.Expr, use func(*types.Var) *fieldUse) {
	t := info.TypeOf(x)
	if t == nil {
		return
	}
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return
	}
	for i := range st.NumFields() {
		if v := st.Field(i); match.HasQueueMethod(v.Type(), "Done") {
			use(v.Origin()).escapes = true
		}
	}
}

// queueFieldOf returns the field sel selects when it holds a work queue.
func queueFieldOf(info *types.Info, sel *ast.SelectorExpr) *types.Var {
	s := info.Selections[sel]
	if s == nil || s.Kind() != types.FieldVal {
		return nil
	}
	v, ok := s.Obj().(*types.Var)
	if !ok || !match.HasQueueMethod(v.Type(), "Done") {
		return nil
	}
	return v.Origin()
}

// fieldContext says how the selector on top of stack is used: "call" when
// a method is called on it, "store" (with the value) when it is assigned
// one to one, "" otherwise.
func fieldContext(stack []ast.Node, sel *ast.SelectorExpr) (string, ast.Expr) {
	if len(stack) == 0 {
		return "", nil
	}
	switch p := stack[len(stack)-1].(type) {
	case *ast.SelectorExpr:
		if len(stack) >= 2 {
			if call, ok := stack[len(stack)-2].(*ast.CallExpr); ok && call.Fun == p && p.X == sel {
				return "call", nil
			}
		}
	case *ast.AssignStmt:
		for i, lhs := range p.Lhs {
			if lhs == sel {
				if len(p.Lhs) == len(p.Rhs) {
					return "store", p.Rhs[i]
				}
				return "store", nil
			}
		}
	}
	return "", nil
}

// literalStores reports the queue fields a struct literal sets.
func literalStores(info *types.Info, lit *ast.CompositeLit, store func(*types.Var, ast.Expr)) {
	literalFields(info, lit, func(v *types.Var, value ast.Expr) {
		if match.HasQueueMethod(v.Type(), "Done") {
			store(v.Origin(), value)
		}
	})
}

// literalFields calls f with each field a struct literal sets (keyed or
// positional) and the value it sets it to.
func literalFields(info *types.Info, lit *ast.CompositeLit, f func(*types.Var, ast.Expr)) {
	st, ok := info.TypeOf(lit).Underlying().(*types.Struct)
	if !ok {
		return
	}
	for i, elt := range lit.Elts {
		var v *types.Var
		value := elt
		if kv, ok := elt.(*ast.KeyValueExpr); ok {
			if key, ok := kv.Key.(*ast.Ident); ok {
				v, _ = info.Uses[key].(*types.Var)
			}
			value = kv.Value
		} else if i < st.NumFields() {
			v = st.Field(i)
		}
		if v != nil {
			f(v, value)
		}
	}
}

// isQueueConstructorCall reports whether e calls a function of the
// workqueue package (NewRateLimitingQueue, NewTypedRateLimitingQueue[T],
// ...), which returns a queue no one else holds.
func isQueueConstructorCall(info *types.Info, e ast.Expr) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return false
	}
	fun := ast.Unparen(call.Fun)
	switch f := fun.(type) {
	case *ast.IndexExpr:
		fun = f.X
	case *ast.IndexListExpr:
		fun = f.X
	}
	var id *ast.Ident
	switch f := fun.(type) {
	case *ast.Ident:
		id = f
	case *ast.SelectorExpr:
		id = f.Sel
	}
	if id == nil {
		return false
	}
	fn, ok := info.Uses[id].(*types.Func)
	return ok && fn.Signature().Recv() == nil && match.IsPkg(fn.Pkg(), match.WorkqueuePath)
}

// private reports whether the queue in v can only be reached through v.
func (u *fieldUse) private(v *types.Var) bool {
	return u != nil && !v.Exported() && !v.Embedded() && !u.escapes && u.stores > 0 && u.fresh == u.stores
}
