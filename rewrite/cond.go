package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
)

// evalCond evaluates a condition on a path. known is false when the
// path's knowledge of error values does not decide it.
func evalCond(info *types.Info, e ast.Expr, p *path) (val, known bool) {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		v, known := p.bools[info.ObjectOf(e)]
		return v, known
	case *ast.UnaryExpr:
		if e.Op == token.NOT {
			v, k := evalCond(info, e.X, p)
			return !v, k
		}
	case *ast.BinaryExpr:
		return evalBinary(info, e, p)
	case *ast.CallExpr:
		return evalErrPredicate(info, e, p)
	}
	return false, false
}

func evalBinary(info *types.Info, e *ast.BinaryExpr, p *path) (bool, bool) {
	switch e.Op {
	case token.LAND, token.LOR:
		x, kx := evalCond(info, e.X, p)
		y, ky := evalCond(info, e.Y, p)
		and := e.Op == token.LAND
		switch {
		case kx && ky:
			if and {
				return x && y, true
			}
			return x || y, true
		case kx && x != and: // false && _, true || _
			return x, true
		case ky && y != and:
			return y, true
		}
		return false, false
	case token.EQL, token.NEQ:
		v := compareNil(info, e.X, e.Y, p)
		if v == errUnknown {
			v = compareNil(info, e.Y, e.X, p)
		}
		if v == errUnknown {
			return false, false
		}
		return (v == errNil) == (e.Op == token.EQL), true
	}
	return false, false
}

// compareNil returns what p knows of x when y is nil.
func compareNil(info *types.Info, x, y ast.Expr, p *path) errVal {
	if !isNil(info, y) {
		return errUnknown
	}
	if v := identObj(info, x); v != nil {
		return p.errs[v]
	}
	return errUnknown
}

// evalErrPredicate decides errors.Is(err, ...), apierrors.IsNotFound(err)
// and the like on a path where err is nil: a predicate about an error is
// false for no error.
func evalErrPredicate(info *types.Info, call *ast.CallExpr, p *path) (bool, bool) {
	sig, ok := info.TypeOf(call.Fun).(*types.Signature)
	if !ok || sig.Results().Len() != 1 || !isBoolType(sig.Results().At(0).Type()) || len(call.Args) == 0 {
		return false, false
	}
	if v := identObj(info, call.Args[0]); v != nil && isErrorType(v.Type()) && p.errs[v] == errNil {
		return false, true
	}
	return false, false
}

func isBoolType(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Kind() == types.Bool
}
