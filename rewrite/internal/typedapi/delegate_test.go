package typedapi

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ast/astutil"
)

// The deprecated functions are thin wrappers: their bodies, and the
// twins', are one return of a call to another function of the package.
// expand follows such calls, binding parameters to arguments, to the first
// function that does real work, and prints that call. An old call and its
// replacement at T = any must reach the same call with the same
// arguments: that proves the replacement builds the same queue or limiter
// (same name, clock, limiter), not merely a value of the same type.

// maxDepth bounds expand; the wrappers are at most four deep.
const maxDepth = 10

// delegation returns what the old call of fn with placeholder arguments
// a0, a1, ... and its replacement f at T = any each expand to.
func delegation(r *release, e *Entry, f Form, sig *types.Signature) (old, repl string, err error) {
	args := make([]string, sig.Params().Len())
	for i := range args {
		args[i] = "a" + strconv.Itoa(i)
	}
	oldCall := e.Name + typeParams(sig) + "(" + strings.Join(args, ", ") + ")"
	oldCall = strings.Replace(oldCall, "[T]", "[any]", 1)
	if old, err = expand(r, oldCall, 0); err != nil {
		return "", "", err
	}
	repl, err = expand(r, f.Call("", "any", args), 0)
	return old, repl, err
}

// expand returns call with every wrapper it goes through inlined, in
// normal form (see normalize).
func expand(r *release, call string, depth int) (string, error) {
	x, err := parser.ParseExpr(call)
	if err != nil {
		return "", err
	}
	c, ok := x.(*ast.CallExpr)
	if !ok || depth == maxDepth || c.Ellipsis.IsValid() {
		return normalize(x), nil
	}
	d := funcDecl(r, calleeName(c.Fun))
	ret := singleReturnCall(d)
	params := paramNames(d)
	if ret == nil || len(params) != len(c.Args) {
		return normalize(c), nil
	}
	bind := make(map[string]ast.Expr, len(params))
	for i, p := range params {
		bind[p] = c.Args[i]
	}
	return expand(r, source(substitute(ret, bind)), depth+1)
}

// substitute returns a copy of call with its parameter identifiers
// replaced by the bound arguments (field keys and selectors left alone).
func substitute(call *ast.CallExpr, bind map[string]ast.Expr) ast.Node {
	fresh, _ := parser.ParseExpr(source(call))
	return astutil.Apply(fresh, func(cur *astutil.Cursor) bool {
		id, ok := cur.Node().(*ast.Ident)
		if !ok || isKeyOrSel(cur) {
			return true
		}
		if arg, ok := bind[id.Name]; ok {
			cur.Replace(arg)
		}
		return true
	}, nil)
}

func isKeyOrSel(cur *astutil.Cursor) bool {
	_, kv := cur.Parent().(*ast.KeyValueExpr)
	_, sel := cur.Parent().(*ast.SelectorExpr)
	return kv && cur.Name() == "Key" || sel && cur.Name() == "Sel"
}

// normalize prints x with type arguments dropped, deprecated aliases
// spelled as their twins and keyed fields sorted, so that an old call
// and its replacement print alike when they do the same thing.
func normalize(x ast.Expr) string {
	n := astutil.Apply(x, func(cur *astutil.Cursor) bool {
		switch n := cur.Node().(type) {
		case *ast.IndexExpr:
			if _, isType := n.Index.(*ast.Ident); isType {
				cur.Replace(n.X)
			}
		case *ast.Ident:
			if e, ok := byName[n.Name]; ok && e.Kind == Alias && !isKeyOrSel(cur) {
				cur.Replace(ast.NewIdent(e.Forms[0].Twin))
			}
		case *ast.CompositeLit:
			slices.SortFunc(n.Elts, func(a, b ast.Expr) int { return strings.Compare(source(a), source(b)) })
		}
		return true
	}, nil)
	return source(n)
}

func source(n ast.Node) string {
	var b bytes.Buffer
	if err := printer.Fprint(&b, token.NewFileSet(), n); err != nil {
		return "<" + err.Error() + ">"
	}
	return b.String()
}

// calleeName returns the name of a called package-level function, "" for
// anything else (methods, func values).
func calleeName(fun ast.Expr) string {
	switch f := fun.(type) {
	case *ast.IndexExpr:
		fun = f.X
	case *ast.IndexListExpr:
		fun = f.X
	}
	if id, ok := fun.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

func funcDecl(r *release, name string) *ast.FuncDecl {
	for _, f := range r.pkg.Syntax {
		for _, decl := range f.Decls {
			if d, ok := decl.(*ast.FuncDecl); ok && d.Recv == nil && d.Name.Name == name {
				return d
			}
		}
	}
	return nil
}

// singleReturnCall returns the call of a body that is only "return call".
func singleReturnCall(d *ast.FuncDecl) *ast.CallExpr {
	if d == nil || d.Body == nil || len(d.Body.List) != 1 {
		return nil
	}
	ret, ok := d.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return nil
	}
	call, _ := ret.Results[0].(*ast.CallExpr)
	return call
}

func paramNames(d *ast.FuncDecl) []string {
	if d == nil {
		return nil
	}
	var names []string
	for _, field := range d.Type.Params.List {
		for _, n := range field.Names {
			names = append(names, n.Name)
		}
	}
	return names
}
