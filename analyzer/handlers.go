package analyzer

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/types/typeutil"

	"github.com/queuefix/queuefix/rewrite"
)

// handlers returns the package's event handlers, in source order: func
// values stored in event-handler fields (by a composite literal or an
// assignment), then the event methods of the package's handler types.
func handlers(fs *funcs) []handler {
	info := fs.pass.TypesInfo
	var out []handler
	add := func(how string, v ast.Expr) {
		h := handler{how: how, value: v}
		h.to, h.fact = fs.valueTarget(v, 0)
		out = append(out, h)
	}
	for _, f := range fs.pass.Files {
		ast.Inspect(f, func(x ast.Node) bool {
			switch x := x.(type) {
			case *ast.CompositeLit:
				t := info.TypeOf(x)
				for _, elt := range x.Elts {
					kv, ok := elt.(*ast.KeyValueExpr)
					if !ok || t == nil {
						continue
					}
					if field, ok := info.Uses[keyIdent(kv)].(*types.Var); ok {
						if how := rewrite.HandlerField(t, field); how != "" {
							add(how, kv.Value)
						}
					}
				}
			case *ast.AssignStmt:
				if len(x.Lhs) != len(x.Rhs) {
					return true
				}
				for i, l := range x.Lhs {
					if how := fs.handlerFieldOf(l); how != "" {
						add(how, x.Rhs[i])
					}
				}
			}
			return true
		})
	}
	return append(out, fs.methodHandlers()...)
}

// handlerFieldOf names the event-handler field that x selects
// (h.AddFunc), or "".
func (fs *funcs) handlerFieldOf(x ast.Expr) string {
	sel, ok := ast.Unparen(x).(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	s := fs.pass.TypesInfo.Selections[sel]
	if s == nil || s.Kind() != types.FieldVal || len(s.Index()) != 1 {
		return ""
	}
	return rewrite.HandlerField(deref(s.Recv()), s.Obj().(*types.Var))
}

// methodHandlers returns the event methods (OnAdd, ..., or a
// controller-runtime handler's Create, ...) of the package's types that
// implement a handler interface, at the method (or, for a promoted one,
// the type).
func (fs *funcs) methodHandlers() []handler {
	caches := rewrite.CachePackages(fs.pass.Pkg)
	var out []handler
	for _, f := range fs.pass.Files {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, spec := range gd.Specs {
				ts, ok := spec.(*ast.TypeSpec)
				if !ok || ts.TypeParams != nil {
					continue
				}
				out = append(out, fs.typeHandlers(ts, caches)...)
			}
		}
	}
	return out
}

func (fs *funcs) typeHandlers(ts *ast.TypeSpec, caches []*types.Package) []handler {
	tn, ok := fs.pass.TypesInfo.Defs[ts.Name].(*types.TypeName)
	if !ok || tn.IsAlias() {
		return nil
	}
	iface, names := rewrite.HandlerMethods(tn.Type(), caches)
	var out []handler
	for _, name := range names {
		obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(tn.Type()), true, fs.pass.Pkg, name)
		fn, ok := obj.(*types.Func)
		if !ok {
			continue
		}
		h := handler{how: iface + "." + name, value: ts.Name}
		h.to, h.fact = fs.target(fn)
		if h.to != nil && h.to.decl != nil {
			h.value = h.to.decl.Name
		}
		out = append(out, h)
	}
	return out
}

// indirect says why a handler value that is not written in place (a
// variable's value, a factory's result) may reach more than handlers, or
// "" for a literal, a function or a method value.
func (fs *funcs) indirect(v ast.Expr) string {
	switch v := ast.Unparen(v).(type) {
	case *ast.Ident:
		if _, ok := fs.pass.TypesInfo.Uses[v].(*types.Var); ok {
			return "the handler is kept in variable " + v.Name + ", which other code may call"
		}
	case *ast.SelectorExpr:
		if _, ok := fs.pass.TypesInfo.Uses[v.Sel].(*types.Var); ok {
			return "the handler is kept in field " + v.Sel.Name + ", which other code may call"
		}
	case *ast.CallExpr:
		return "the handler is built by " + types.ExprString(v.Fun) + ", whose result other code may call"
	}
	return ""
}

// maxHops bounds how far valueTarget follows variables and factories.
const maxHops = 8

// valueTarget returns the function a func value denotes: a literal, a
// function or a method value, a local variable's assigned values, or what
// a factory of the package returns. Of several candidates it returns the
// first, in source order, that reaches a rate-limited add.
func (fs *funcs) valueTarget(v ast.Expr, hops int) (*fnode, *reachesAdd) {
	if hops > maxHops {
		return nil, nil
	}
	info := fs.pass.TypesInfo
	switch v := ast.Unparen(v).(type) {
	case *ast.FuncLit:
		return fs.byLit[v], nil
	case *ast.Ident:
		switch obj := info.Uses[v].(type) {
		case *types.Func:
			return fs.target(obj)
		case *types.Var:
			return fs.firstTarget(fs.assigned(obj), hops)
		}
	case *ast.SelectorExpr:
		switch obj := info.Uses[v.Sel].(type) {
		case *types.Func:
			return fs.target(obj)
		case *types.Var:
			return fs.firstTarget(fs.assigned(obj), hops)
		}
	case *ast.CallExpr:
		fn := typeutil.StaticCallee(info, v)
		if n, _ := fs.target(fn); n != nil {
			return fs.firstTarget(returned(n.body), hops)
		}
		var f returnsAdd
		if fn != nil && fn.Pkg() != fs.pass.Pkg && fs.pass.ImportObjectFact(fn.Origin(), &f) {
			return nil, (*reachesAdd)(&f)
		}
	}
	return nil, nil
}

func (fs *funcs) firstTarget(vs []ast.Expr, hops int) (*fnode, *reachesAdd) {
	var first *fnode
	for _, v := range vs {
		n, f := fs.valueTarget(v, hops+1)
		if (n != nil && n.chain != nil) || f != nil {
			return n, f
		}
		if first == nil {
			first = n
		}
	}
	return first, nil
}

// assigned returns the values assigned to a local variable or an
// unexported field of the package, in source order.
func (fs *funcs) assigned(v *types.Var) []ast.Expr {
	if v.Pkg() != fs.pass.Pkg || v.Exported() || !v.IsField() && v.Parent() == v.Pkg().Scope() {
		return nil // other packages may set these
	}
	if fs.assigns == nil {
		fs.indexAssigns()
	}
	return fs.assigns[v]
}

// indexAssigns records, for each variable, the values assigned to it.
func (fs *funcs) indexAssigns() {
	info := fs.pass.TypesInfo
	fs.assigns = map[*types.Var][]ast.Expr{}
	record := func(x ast.Expr, val ast.Expr) {
		var obj types.Object
		switch x := ast.Unparen(x).(type) {
		case *ast.Ident:
			obj = info.ObjectOf(x)
		case *ast.SelectorExpr:
			obj = info.ObjectOf(x.Sel)
		}
		if v, ok := obj.(*types.Var); ok {
			fs.assigns[v] = append(fs.assigns[v], val)
		}
	}
	for _, f := range fs.pass.Files {
		ast.Inspect(f, func(x ast.Node) bool {
			switch x := x.(type) {
			case *ast.AssignStmt:
				if len(x.Lhs) == len(x.Rhs) {
					for i, l := range x.Lhs {
						record(l, x.Rhs[i])
					}
				}
			case *ast.KeyValueExpr:
				if id, ok := x.Key.(*ast.Ident); ok {
					if v, ok := info.Uses[id].(*types.Var); ok && v.IsField() {
						record(id, x.Value)
					}
				}
			case *ast.ValueSpec:
				if len(x.Names) == len(x.Values) {
					for i, id := range x.Names {
						record(id, x.Values[i])
					}
				}
			}
			return true
		})
	}
}

// returned returns the first result of each return statement of a
// function body (not of the literals inside it).
func returned(body *ast.BlockStmt) []ast.Expr {
	var out []ast.Expr
	if body == nil {
		return nil
	}
	ast.Inspect(body, func(x ast.Node) bool {
		switch x := x.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			if len(x.Results) > 0 {
				out = append(out, x.Results[0])
			}
		}
		return true
	})
	return out
}

func deref(t types.Type) types.Type {
	if p, ok := types.Unalias(t).Underlying().(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}

func keyIdent(kv *ast.KeyValueExpr) *ast.Ident {
	id, _ := kv.Key.(*ast.Ident)
	return id
}
