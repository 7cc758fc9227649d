package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
)

// itemEdits plans the edits a concrete T forces on the items' path:
// assertions to T dropped, with a comma-ok's dead `if !ok` branch, and
// interface{} parameters that receive items retyped. It returns a blocker
// for an assertion whose shape it cannot drop.
func (fl *flow) itemEdits(files []*fileInfo, t types.Type) ([]itemEdit, *blocker) {
	var out []itemEdit
	for _, fi := range files {
		if fi.generated {
			continue
		}
		edits, why := fl.fileItemEdits(fi, t)
		if why != "" {
			return nil, &blocker{fl.tp.uses[0], why}
		}
		out = append(out, edits...)
	}
	return out, nil
}

func (fl *flow) fileItemEdits(fi *fileInfo, t types.Type) ([]itemEdit, string) {
	info := fl.info(fi)
	var out []itemEdit
	why := ""
	var stack []ast.Node
	ast.Inspect(fi.syntax, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		if why != "" {
			return false
		}
		switch n := n.(type) {
		case *ast.TypeAssertExpr:
			if fl.items[identObj(info, n.X)] {
				var es []itemEdit
				es, why = fl.dropAssert(fi, stack, n)
				out = append(out, es...)
			}
		case *ast.Field:
			out = append(out, fl.retypeParam(fi, n, t)...)
		}
		return true
	})
	return out, why
}

// retypeParam retypes a parameter declaration whose names all hold items.
func (fl *flow) retypeParam(fi *fileInfo, f *ast.Field, t types.Type) []itemEdit {
	if len(f.Names) == 0 {
		return nil
	}
	for _, name := range f.Names {
		if !fl.items[fi.pkg.TypesInfo.Defs[name]] {
			return nil
		}
		if _, isParam := fi.pkg.TypesInfo.Defs[name].(*types.Var); !isParam {
			return nil
		}
	}
	text := types.TypeString(t, fileQualifier(fi))
	return []itemEdit{{
		pos:     f.Type.Pos(),
		edit:    fl.a.replace(fi, f.Type.Pos(), f.Type.End(), text),
		message: fmt.Sprintf("%s receives only queue items: %s → %s", f.Names[0].Name, fl.a.text(f.Type), text),
		fix:     fl.a.text(f.Type) + " → " + text,
	}}
}

// dropAssert plans the removal of an assertion of an item to T.
func (fl *flow) dropAssert(fi *fileInfo, stack []ast.Node, ta *ast.TypeAssertExpr) ([]itemEdit, string) {
	x := fl.a.text(ta.X)
	parent := stack[len(stack)-2]
	as, ok := parent.(*ast.AssignStmt)
	if !ok || len(as.Lhs) != 2 {
		if vs, isSpec := parent.(*ast.ValueSpec); isSpec && len(vs.Names) == 2 {
			return nil, fmt.Sprintf("the comma-ok assertion at %s declares with var: drop it by hand", fl.a.shortPos(ta.Pos()))
		}
		return []itemEdit{fl.itemEdit(fi, ta.Pos(), ta.End(), x, fmt.Sprintf("%s holds a %s now: %s → %s", x, types.TypeString(fl.info(fi).TypeOf(ta.Type), fileQualifier(fi)), fl.a.text(ta), x))}, ""
	}
	return fl.dropCommaOk(fi, stack, as, ta)
}

// dropCommaOk drops `k, ok := x.(T)` (or `=`) and the one use of ok, an
// `if !ok { ... }` with no else right after it or around it.
func (fl *flow) dropCommaOk(fi *fileInfo, stack []ast.Node, as *ast.AssignStmt, ta *ast.TypeAssertExpr) ([]itemEdit, string) {
	info := fl.info(fi)
	pos := fl.a.shortPos(ta.Pos())
	key, x := fl.a.text(as.Lhs[0]), fl.a.text(ta.X)
	if key == "_" {
		return nil, fmt.Sprintf("the assertion at %s keeps only ok: drop it by hand", pos)
	}
	assign := key + " " + as.Tok.String() + " " + x
	ok := identObj(info, as.Lhs[1])
	if ok == nil { // _: nothing else to drop
		return []itemEdit{fl.itemEdit(fi, as.Pos(), as.End(), assign, "the assertion cannot fail now: "+fl.a.text(as)+" → "+assign)}, ""
	}
	uses := usesOf(fi, ok, as.Lhs[1])
	ifs, inInit := deadBranch(stack, as, uses)
	if ifs == nil || len(uses) != 1 {
		return nil, fmt.Sprintf("ok of the assertion at %s is used other than in one `if !ok { ... }`: drop it by hand", pos)
	}
	msg := "the assertion cannot fail now: " + fl.a.text(as) + " and its `if !ok` branch → " + assign
	var out []itemEdit
	if inInit {
		out = append(out, fl.itemEdit(fi, ifs.Pos(), ifs.End(), assign, msg))
	} else {
		out = append(out, fl.itemEdit(fi, as.Pos(), as.End(), assign, msg))
		del, err := fl.deleteLines(fi, ifs.Pos(), ifs.End(), "the `if !ok` branch")
		if err != "" {
			return nil, err
		}
		out = append(out, del)
	}
	if as.Tok == token.ASSIGN {
		decl, why := fl.dropVarDecl(fi, ok)
		if why != "" {
			return nil, why
		}
		out = append(out, decl...)
	}
	return out, ""
}

// deadBranch returns the `if !ok` statement that is the one use of ok:
// the if whose init is the assignment, or the statement after it.
func deadBranch(stack []ast.Node, as *ast.AssignStmt, uses []*ast.Ident) (*ast.IfStmt, bool) {
	if len(uses) != 1 {
		return nil, false
	}
	isNotOk := func(s *ast.IfStmt) bool {
		u, ok := s.Cond.(*ast.UnaryExpr)
		return ok && u.Op == token.NOT && u.X == uses[0] && s.Else == nil
	}
	parent := stack[len(stack)-3]
	if s, ok := parent.(*ast.IfStmt); ok && s.Init == as {
		if isNotOk(s) {
			return s, true
		}
		return nil, false
	}
	block, ok := parent.(*ast.BlockStmt)
	if !ok {
		return nil, false
	}
	for i, st := range block.List {
		if st == as && i+1 < len(block.List) {
			if s, ok := block.List[i+1].(*ast.IfStmt); ok && s.Init == nil && isNotOk(s) {
				return s, false
			}
		}
	}
	return nil, false
}

// usesOf returns the identifiers that use obj, besides def.
func usesOf(fi *fileInfo, obj types.Object, def ast.Expr) []*ast.Ident {
	var out []*ast.Ident
	for id, o := range fi.pkg.TypesInfo.Uses {
		if o == obj && id != def {
			out = append(out, id)
		}
	}
	return out
}

// dropVarDecl deletes `var ok bool` when ok has no use left.
func (fl *flow) dropVarDecl(fi *fileInfo, ok types.Object) ([]itemEdit, string) {
	var spec *ast.DeclStmt
	ast.Inspect(fi.syntax, func(n ast.Node) bool {
		ds, isDecl := n.(*ast.DeclStmt)
		if !isDecl {
			return spec == nil
		}
		gd := ds.Decl.(*ast.GenDecl)
		if len(gd.Specs) == 1 {
			if vs, isVal := gd.Specs[0].(*ast.ValueSpec); isVal && len(vs.Names) == 1 && vs.Names[0].Pos() == ok.Pos() && len(vs.Values) == 0 {
				spec = ds
			}
		}
		return spec == nil
	})
	if spec == nil {
		return nil, fmt.Sprintf("%s is declared with other names: drop it by hand", ok.Name())
	}
	e, why := fl.deleteLines(fi, spec.Pos(), spec.End(), "var "+ok.Name())
	if why != "" {
		return nil, why
	}
	return []itemEdit{e}, ""
}

// deleteLines deletes the whole lines of [pos, end), which must hold
// nothing else.
func (fl *flow) deleteLines(fi *fileInfo, pos, end token.Pos, what string) (itemEdit, string) {
	src := fi.source()
	tf := fl.a.fset.File(pos)
	from, to := tf.Offset(pos), tf.Offset(end)
	if !startsLine(src, from) {
		return itemEdit{}, fmt.Sprintf("%s at %s shares its line: drop it by hand", what, fl.a.shortPos(pos))
	}
	next := nextNewline(src, to)
	for i := to; i < next; i++ {
		if src[i] != ' ' && src[i] != '\t' && src[i] != '\r' {
			return itemEdit{}, fmt.Sprintf("%s at %s shares its line: drop it by hand", what, fl.a.shortPos(pos))
		}
	}
	if next < len(src) {
		next++
	}
	return itemEdit{
		pos:     pos,
		edit:    Edit{File: tf.Name(), Offset: lineStart(src, from), End: next},
		message: what + " is dead now: deleted",
		fix:     "delete " + what,
	}, ""
}

func (fl *flow) itemEdit(fi *fileInfo, pos, end token.Pos, text, msg string) itemEdit {
	return itemEdit{pos: pos, edit: fl.a.replace(fi, pos, end, text), message: msg, fix: msg}
}
