package walk

import (
	"go/ast"
	"go/types"

	"github.com/queuefix/queuefix/rewrite/internal/match"
)

// A worker often calls its sync through a func value: a field set when
// the controller is built (sample-controller's c.syncHandler), or a
// parameter. The summaries follow such a call to every function the value
// can hold, found in the syntax: every store to an unexported field (an
// assignment or a composite literal element) is in its package, and a
// parameter holds what its function's callers pass. A value the search
// cannot follow (an exported field, a local variable, a call's result, a
// function also used as a value) comes from code that is not analysed; it
// is taken like a dependency's function: it cannot requeue the item on
// the worker's queue unless the call hands it a work queue (an escape).

// A funcTarget is a function a func value may hold: a declared one, or a
// func literal.
type funcTarget struct {
	fn  *types.Func
	lit *ast.FuncLit
	fi  *File // of lit
}

// maxValueHops bounds how many parameters a value is followed through.
const maxValueHops = 4

// funcIndex is what the analysed files store in func-typed fields, and
// the uses of each function, built once per scanner.
type funcIndex struct {
	stores map[*types.Var][]valueAt
	uses   map[*types.Func][]useAt
}

type valueAt struct {
	e  ast.Expr
	fi *File
}

// A useAt is a use of a function's name: call is the call it names, or
// nil when the function is used as a value.
type useAt struct {
	call *ast.CallExpr
	fi   *File
}

// funcTargets returns the functions a call through a func value may call,
// and false when some value it may hold cannot be followed.
func (sc *scanner) funcTargets(info *types.Info, fun ast.Expr) ([]funcTarget, bool) {
	fi := sc.s.fileOf(fun.Pos())
	if fi == nil {
		return nil, false
	}
	return sc.valueTargets(valueAt{fun, fi}, 0)
}

// valueTargets follows one func-valued expression.
func (sc *scanner) valueTargets(v valueAt, hops int) ([]funcTarget, bool) {
	if hops > maxValueHops {
		return nil, false
	}
	info := v.fi.Pkg.TypesInfo
	switch e := ast.Unparen(v.e).(type) {
	case *ast.FuncLit:
		return []funcTarget{{lit: e, fi: v.fi}}, true
	case *ast.SelectorExpr:
		if s := info.Selections[e]; s != nil && s.Kind() == types.FieldVal {
			return sc.fieldTargets(s.Obj().(*types.Var).Origin(), hops)
		}
		return sc.identTargets(info, e.Sel, v.fi, hops)
	case *ast.Ident:
		return sc.identTargets(info, e, v.fi, hops)
	}
	if match.IsNil(info, v.e) {
		return nil, true // calling it would panic: no target
	}
	return nil, false
}

// identTargets follows a name: a function, or a parameter.
func (sc *scanner) identTargets(info *types.Info, id *ast.Ident, fi *File, hops int) ([]funcTarget, bool) {
	switch obj := info.ObjectOf(id).(type) {
	case *types.Func:
		return []funcTarget{{fn: obj}}, true
	case *types.Var:
		return sc.paramTargets(obj, fi, hops)
	}
	return nil, false
}

// fieldTargets returns what an unexported field may hold.
func (sc *scanner) fieldTargets(field *types.Var, hops int) ([]funcTarget, bool) {
	if field.Exported() {
		return nil, false // code that is not analysed may set it
	}
	var out []funcTarget
	for _, v := range sc.s.funcs().stores[field] {
		ts, ok := sc.valueTargets(v, hops+1)
		if !ok {
			return nil, false
		}
		out = append(out, ts...)
	}
	return out, true
}

// paramTargets returns what a parameter of a declared function may hold:
// the arguments of its calls, when the function is only ever called.
func (sc *scanner) paramTargets(param *types.Var, fi *File, hops int) ([]funcTarget, bool) {
	fn, index := sc.paramOf(param, fi)
	if fn == nil {
		return nil, false
	}
	uses := sc.s.funcs().uses[fn]
	if len(uses) == 0 {
		return nil, false // called only from code that is not analysed
	}
	var out []funcTarget
	for _, u := range uses {
		if u.call == nil || index >= len(u.call.Args) || u.call.Ellipsis.IsValid() {
			return nil, false
		}
		ts, ok := sc.valueTargets(valueAt{u.call.Args[index], u.fi}, hops+1)
		if !ok {
			return nil, false
		}
		out = append(out, ts...)
	}
	return out, true
}

// paramOf returns the declared function param belongs to, and its index.
func (sc *scanner) paramOf(param *types.Var, fi *File) (*types.Func, int) {
	for _, d := range fi.Syntax.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil || param.Pos() < fd.Pos() || param.Pos() >= fd.Body.Pos() {
			continue
		}
		i := 0
		for _, field := range fd.Type.Params.List {
			for _, n := range field.Names {
				if fi.Pkg.TypesInfo.Defs[n] == param {
					fn, _ := fi.Pkg.TypesInfo.Defs[fd.Name].(*types.Func)
					return fn, i
				}
				i++
			}
			if len(field.Names) == 0 {
				i++
			}
		}
	}
	return nil, 0
}

// funcIndex indexes the analysed files' func values (Scan.funcs builds
// it once).
func (s *Scan) funcIndex() *funcIndex {
	x := &funcIndex{stores: make(map[*types.Var][]valueAt), uses: make(map[*types.Func][]useAt)}
	for _, name := range s.sortedFiles() {
		x.add(s.files[name])
	}
	return x
}

// add records fi's stores to func-typed fields and uses of functions.
func (x *funcIndex) add(fi *File) {
	info := fi.Pkg.TypesInfo
	called := make(map[*ast.Ident]*ast.CallExpr)
	ast.Inspect(fi.Syntax, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if id := match.CalleeIdent(n); id != nil {
				called[id] = n
			}
		case *ast.AssignStmt:
			x.assignStores(info, fi, n)
		case *ast.CompositeLit:
			x.literalStores(info, fi, n)
		case *ast.Ident:
			if fn, ok := info.Uses[n].(*types.Func); ok {
				x.uses[fn.Origin()] = append(x.uses[fn.Origin()], useAt{called[n], fi})
			}
		}
		return true
	})
}

func (x *funcIndex) assignStores(info *types.Info, fi *File, as *ast.AssignStmt) {
	for i, l := range as.Lhs {
		sel, ok := ast.Unparen(l).(*ast.SelectorExpr)
		if !ok {
			continue
		}
		s := info.Selections[sel]
		if s == nil || s.Kind() != types.FieldVal || !match.IsFunc(s.Obj().Type()) {
			continue
		}
		field := s.Obj().(*types.Var).Origin()
		if len(as.Lhs) != len(as.Rhs) {
			x.stores[field] = append(x.stores[field], valueAt{&ast.BadExpr{From: as.Pos(), To: as.End()}, fi}) // not followed
			continue
		}
		x.stores[field] = append(x.stores[field], valueAt{as.Rhs[i], fi})
	}
}

// literalStores records the func-typed fields a struct literal sets.
func (x *funcIndex) literalStores(info *types.Info, fi *File, lit *ast.CompositeLit) {
	literalFields(info, lit, func(field *types.Var, value ast.Expr) {
		if match.IsFunc(field.Type()) {
			x.stores[field.Origin()] = append(x.stores[field.Origin()], valueAt{value, fi})
		}
	})
}

// targetSummary sums up a func value's target; false when its body is not
// analysed.
func (sc *scanner) targetSummary(t funcTarget, mask uint64) (effect, bool) {
	if t.fn != nil {
		return sc.summary(t.fn, mask)
	}
	key := summaryKey{lit: t.lit, mask: mask}
	if e, ok := sc.memo[key]; ok {
		return e, true
	}
	if sc.busy[key] {
		sc.cycle = true
		return effect{}, true
	}
	sc.busy[key] = true
	eff := sc.sumFunc(t.fi, nil, t.lit.Type, t.lit.Body, mask)
	sc.memo[key] = eff
	delete(sc.busy, key)
	return eff, true
}
