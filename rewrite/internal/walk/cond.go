package walk

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/queuefix/queuefix/rewrite/internal/match"
)

// evalCond evaluates a condition on a path. known is false when the
// path's knowledge of error values does not decide it.
func evalCond(info *types.Info, e ast.Expr, p *Path) (val, known bool) {
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

func evalBinary(info *types.Info, e *ast.BinaryExpr, p *Path) (bool, bool) {
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
func compareNil(info *types.Info, x, y ast.Expr, p *Path) errVal {
	if !match.IsNil(info, y) {
		return errUnknown
	}
	if v := match.IdentObj(info, x); v != nil {
		return p.errs[v]
	}
	return errUnknown
}

// evalErrPredicate decides errors.Is(err, ...), apierrors.IsNotFound(err)
// and the like on a path where err is nil: a predicate about an error is
// false for no error.
func evalErrPredicate(info *types.Info, call *ast.CallExpr, p *Path) (bool, bool) {
	sig, ok := info.TypeOf(call.Fun).(*types.Signature)
	if !ok || sig.Results().Len() != 1 || !match.IsBoolType(sig.Results().At(0).Type()) || len(call.Args) == 0 {
		return false, false
	}
	if v := match.IdentObj(info, call.Args[0]); v != nil && match.IsErrorType(v.Type()) && p.errs[v] == errNil {
		return false, true
	}
	return false, false
}

// learn records on p what taking a branch of condition e (val) tells of
// error and boolean variables: `err != nil` taken means err is not nil,
// `ok` not taken means ok is false, and so on through !, && and ||. Only
// forms whose meaning is certain are learned.
func learn(info *types.Info, e ast.Expr, val bool, p *Path) {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		if v := match.IdentObj(info, e); v != nil && match.IsBoolType(v.Type()) {
			p.bools[v] = val
		}
	case *ast.UnaryExpr:
		if e.Op == token.NOT {
			learn(info, e.X, !val, p)
		}
	case *ast.BinaryExpr:
		learnBinary(info, e, val, p)
	case *ast.CallExpr:
		if val && isErrPredicate(info, e) {
			if v := match.IdentObj(info, e.Args[0]); v != nil {
				p.errs[v] = errNonNil // a predicate about an error is false for nil
			}
		}
	}
}

func learnBinary(info *types.Info, e *ast.BinaryExpr, val bool, p *Path) {
	switch e.Op {
	case token.LAND:
		if val {
			learn(info, e.X, true, p)
			learn(info, e.Y, true, p)
		}
	case token.LOR:
		if !val {
			learn(info, e.X, false, p)
			learn(info, e.Y, false, p)
		}
	case token.EQL, token.NEQ:
		x := e.X
		if match.IsNil(info, x) {
			x = e.Y
		} else if !match.IsNil(info, e.Y) {
			return
		}
		v := match.IdentObj(info, x)
		if v == nil || !match.IsErrorType(v.Type()) {
			return
		}
		if (e.Op == token.NEQ) == val {
			p.errs[v] = errNonNil
		} else {
			p.errs[v] = errNil
		}
	}
}

// isErrPredicate reports whether call is a bool function of an error
// variable (errors.Is(err, x), apierrors.IsNotFound(err)).
func isErrPredicate(info *types.Info, call *ast.CallExpr) bool {
	sig, ok := info.TypeOf(call.Fun).(*types.Signature)
	if !ok || sig.Results().Len() != 1 || !match.IsBoolType(sig.Results().At(0).Type()) || len(call.Args) == 0 {
		return false
	}
	v := match.IdentObj(info, call.Args[0])
	return v != nil && match.IsErrorType(v.Type())
}
