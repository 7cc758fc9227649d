package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ast/inspector"

	"github.com/queuefix/queuefix/rewrite/internal/match"
	"github.com/queuefix/queuefix/rewrite/internal/source"
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
	in := inspector.New([]*ast.File{fi.syntax})
	in.WithStack([]ast.Node{(*ast.TypeAssertExpr)(nil), (*ast.Field)(nil)}, func(n ast.Node, push bool, stack []ast.Node) bool {
		if !push || why != "" {
			return false
		}
		switch n := n.(type) {
		case *ast.TypeAssertExpr:
			if fl.items[match.IdentObj(info, n.X)] {
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
	var keyDecl *ast.DeclStmt
	if as.Tok == token.ASSIGN {
		if keyDecl = fl.foldableKeyDecl(fi, stack, as, ta); keyDecl != nil {
			assign = key + " := " + x
		}
	}
	ok := match.IdentObj(info, as.Lhs[1])
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
	if keyDecl != nil {
		del, why := fl.deleteLines(fi, keyDecl.Pos(), keyDecl.End(), "var "+key)
		if why != "" {
			return nil, why
		}
		del.message = "var " + key + " folds into " + assign + ": deleted"
		out = append(out, del)
	}
	return out, ""
}

// foldableKeyDecl returns the `var key T` that `key, ok = x.(T)` can
// replace with `key := x`: a declaration of key alone, without a value,
// earlier in the block that will hold the assignment, with no use of key
// before the assignment. Without it the migration leaves `var key string`
// and `key = obj` two lines apart, which no author writes.
func (fl *flow) foldableKeyDecl(fi *fileInfo, stack []ast.Node, as *ast.AssignStmt, ta *ast.TypeAssertExpr) *ast.DeclStmt {
	info := fl.info(fi)
	key := match.IdentObj(info, as.Lhs[0])
	if key == nil || !types.Identical(key.Type(), info.TypeOf(ta.Type)) {
		return nil
	}
	// The statement the assignment becomes: the assignment itself, or the
	// if statement whose init it is.
	var stmt ast.Stmt = as
	i := len(stack) - 3
	if s, isIf := stack[i].(*ast.IfStmt); isIf && s.Init == as {
		stmt, i = s, i-1
	}
	block, isBlock := stack[i].(*ast.BlockStmt)
	if !isBlock {
		return nil
	}
	decl := lonelyVarDecl(fi, key)
	if decl == nil || !slices.Contains(block.List, ast.Stmt(decl)) || decl.Pos() > stmt.Pos() {
		return nil
	}
	for _, u := range usesOf(fi, key, as.Lhs[0]) {
		if u.Pos() < as.Pos() {
			return nil
		}
	}
	return decl
}

// lonelyVarDecl returns `var v T`, the declaration of v alone without a
// value, or nil.
func lonelyVarDecl(fi *fileInfo, v types.Object) *ast.DeclStmt {
	var spec *ast.DeclStmt
	ast.Inspect(fi.syntax, func(n ast.Node) bool {
		ds, isDecl := n.(*ast.DeclStmt)
		if !isDecl {
			return spec == nil
		}
		gd := ds.Decl.(*ast.GenDecl)
		if len(gd.Specs) == 1 {
			if vs, isVal := gd.Specs[0].(*ast.ValueSpec); isVal && len(vs.Names) == 1 && vs.Names[0].Pos() == v.Pos() && len(vs.Values) == 0 {
				spec = ds
			}
		}
		return spec == nil
	})
	return spec
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
	spec := lonelyVarDecl(fi, ok)
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
	if !source.StartsLine(src, from) {
		return itemEdit{}, fmt.Sprintf("%s at %s shares its line: drop it by hand", what, fl.a.shortPos(pos))
	}
	next := source.NextNewline(src, to)
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
		edit:    Edit{File: tf.Name(), Offset: source.LineStart(src, from), End: next},
		message: what + " is dead now: deleted",
		fix:     "delete " + what,
	}, ""
}

func (fl *flow) itemEdit(fi *fileInfo, pos, end token.Pos, text, msg string) itemEdit {
	return itemEdit{pos: pos, edit: fl.a.replace(fi, pos, end, text), message: msg, fix: msg}
}
