package match

// go/types predicates the walk, the rules and the graph share.

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
)

func IsFunc(t types.Type) bool {
	_, ok := t.Underlying().(*types.Signature)
	return ok
}

func Deref(t types.Type) types.Type {
	if p, ok := types.Unalias(t).Underlying().(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}

// NamedOf returns the origin of t's named type, through pointers and aliases.
func NamedOf(t types.Type) *types.Named {
	t = types.Unalias(t)
	if p, ok := t.(*types.Pointer); ok {
		t = types.Unalias(p.Elem())
	}
	if n, ok := t.(*types.Named); ok {
		return n.Origin()
	}
	return nil
}

// HasMethodNamed reports whether values of type t have any method name.
func HasMethodNamed(t types.Type, name string) bool {
	obj, _, _ := types.LookupFieldOrMethod(t, true, nil, name)
	_, ok := obj.(*types.Func)
	return ok
}

// Method returns the signature of t's method name, or nil.
func Method(t types.Type, name string) *types.Signature {
	obj, _, _ := types.LookupFieldOrMethod(t, true, nil, name)
	if fn, ok := obj.(*types.Func); ok {
		return fn.Signature()
	}
	return nil
}

func HasParam(sig *types.Signature, pred func(types.Type) bool) bool {
	for i := 0; i < sig.Params().Len(); i++ {
		if pred(sig.Params().At(i).Type()) {
			return true
		}
	}
	return false
}

func IsGeneric(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.TypeParams().Len() > 0 && n.TypeArgs().Len() == 0
}

func IsErrorType(t types.Type) bool {
	return t != nil && types.Identical(t, types.Universe.Lookup("error").Type())
}

func IsNil(info *types.Info, e ast.Expr) bool {
	tv, ok := info.Types[ast.Unparen(e)]
	return ok && tv.IsNil()
}

func IsBoolType(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Kind() == types.Bool
}

// IdentObj returns the variable an identifier (not _) denotes.
func IdentObj(info *types.Info, e ast.Expr) types.Object {
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

// IsField reports whether obj is a field or method, named through a
// selector and not looked up in scope.
func IsField(obj types.Object) bool {
	if v, ok := obj.(*types.Var); ok && v.IsField() {
		return true
	}
	fn, ok := obj.(*types.Func)
	return ok && fn.Signature().Recv() != nil
}

func IsConversion(info *types.Info, call *ast.CallExpr) bool {
	tv, ok := info.Types[call.Fun]
	return ok && (tv.IsType() || tv.IsBuiltin())
}

func Qualifier(pkg *types.Package) types.Qualifier {
	return func(p *types.Package) string {
		if p == pkg {
			return ""
		}
		return p.Name()
	}
}

func ShortQualifier(p *types.Package) string { return p.Name() }

// CalleeFunc returns the function or method a call calls statically.
func CalleeFunc(info *types.Info, call *ast.CallExpr) *types.Func {
	var id *ast.Ident
	switch fun := Uninstantiated(call.Fun).(type) {
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

// Uninstantiated returns the function a call names without its explicit
// type arguments: handle for handle[string](...). A slice or map of funcs
// indexed the same way yields a variable, which is no function.
func Uninstantiated(fun ast.Expr) ast.Expr {
	switch ix := ast.Unparen(fun).(type) {
	case *ast.IndexExpr:
		return ast.Unparen(ix.X)
	case *ast.IndexListExpr:
		return ast.Unparen(ix.X)
	}
	return ast.Unparen(fun)
}

// CalleeIdent returns the identifier a call names, or nil.
func CalleeIdent(call *ast.CallExpr) *ast.Ident {
	switch fun := Uninstantiated(call.Fun).(type) {
	case *ast.Ident:
		return fun
	case *ast.SelectorExpr:
		return fun.Sel
	}
	return nil
}

// FilesUsing returns the files of a package in which an identifier with
// one of names is used. A selector's name is always in Uses, so a scan
// for calls of those methods need not walk any other file; reading the
// Uses map costs a fraction of walking the syntax.
func FilesUsing(fset *token.FileSet, info *types.Info, names ...string) map[*token.File]bool {
	out := make(map[*token.File]bool)
	if info == nil {
		return out
	}
	for id := range info.Uses {
		if slices.Contains(names, id.Name) {
			if tf := fset.File(id.Pos()); tf != nil {
				out[tf] = true
			}
		}
	}
	return out
}
