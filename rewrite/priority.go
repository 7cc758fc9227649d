package rewrite

import (
	"bytes"
	"go/ast"
	"go/constant"
	"go/format"
	"go/parser"
	"go/token"
	"go/types"
	"slices"
	"strings"
)

// controller-runtime's priority queue (v0.20+) has a rate-limited add
// under another name:
//
//	pq.AddWithOpts(priorityqueue.AddOpts{RateLimited: true, Priority: p}, req)
//
// counts a failure of req just as AddRateLimited does. Reached only from
// event handlers it gets the same treatment, with the same reasons to
// decline; the fix drops the RateLimited element:
//
//	pq.AddWithOpts(priorityqueue.AddOpts{Priority: p}, req)
//
// Only a literal whose RateLimited is the constant true is a site: options
// held in a variable, or a RateLimited computed at run time, were chosen
// by someone, and are left alone.

// prioritySite returns the site of an AddWithOpts call whose options
// literal sets RateLimited to true, or nil.
func prioritySite(info *types.Info, sel *ast.SelectorExpr, call *ast.CallExpr) *site {
	if call == nil || len(call.Args) == 0 {
		return nil
	}
	fn, ok := info.Uses[sel.Sel].(*types.Func)
	if !ok || !isPriorityAdd(fn) {
		return nil
	}
	lit, ok := ast.Unparen(call.Args[0]).(*ast.CompositeLit)
	if !ok {
		return nil
	}
	for _, elt := range lit.Elts {
		kv, ok := elt.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		if key, ok := kv.Key.(*ast.Ident); ok && key.Name == "RateLimited" {
			if tv := info.Types[kv.Value]; tv.Value != nil && constant.BoolVal(tv.Value) {
				return &site{recv: info.TypeOf(sel.X), opts: lit, limited: kv}
			}
		}
	}
	return nil
}

// dropRateLimited plans the removal of RateLimited: true from the site's
// options literal, or says why it is left to a human.
func (a *analysis) dropRateLimited(s *site, f Finding) Finding {
	e, why := a.withoutElement(s.fi, s.opts, s.limited)
	if why != "" {
		f.Status, f.checks = Review, nil
		f.Message = s.what() + " in an event handler, but " + why + "; drop RateLimited by hand"
		return f
	}
	f.Message = s.what() + " in an event handler: drop RateLimited (rate limiting is for retries after errors)"
	f.Edits = []Edit{e}
	return f
}

// withoutElement returns the edit that removes elt from lit: the element
// and the separator next to it on one line; on its own line, the line,
// with the literal's remaining lines aligned as gofmt aligns them.
func (a *analysis) withoutElement(fi *fileInfo, lit *ast.CompositeLit, elt ast.Expr) (Edit, string) {
	for _, c := range fi.syntax.Comments {
		if c.Pos() > lit.Lbrace && c.End() <= lit.Rbrace {
			return Edit{}, "the options literal holds comments"
		}
	}
	src := fi.source()
	tf := a.fset.File(lit.Pos())
	elts := lit.Elts
	i := slices.Index(elts, elt)
	pos, end := tf.Offset(elt.Pos()), tf.Offset(elt.End())
	cut := func(from, to int) Edit { return Edit{File: tf.Name(), Offset: from, End: to} }
	switch {
	case len(elts) == 1:
		return cut(tf.Offset(lit.Lbrace)+1, tf.Offset(lit.Rbrace)), ""
	case startsLine(src, pos) && endsLineWithComma(src, end):
		return a.realigned(src, tf, lit, lineStart(src, pos), nextNewline(src, end)+1)
	case i < len(elts)-1:
		return cut(pos, tf.Offset(elts[i+1].Pos())), ""
	}
	return cut(tf.Offset(elts[i-1].End()), end), ""
}

// realigned returns the edit that deletes src[from:to] from lit and lays
// the literal out again as gofmt would: a key-value column aligned to the
// longest key may change with the line gone.
func (a *analysis) realigned(src []byte, tf *token.File, lit *ast.CompositeLit, from, to int) (Edit, string) {
	start, end := tf.Offset(lit.Pos()), tf.Offset(lit.End())
	text := string(src[start:from]) + string(src[to:end])
	fset := token.NewFileSet()
	expr, err := parser.ParseExprFrom(fset, "", text, 0)
	if err != nil {
		return Edit{}, "the options literal does not parse without the element"
	}
	var b bytes.Buffer
	if err := format.Node(&b, fset, expr); err != nil {
		return Edit{}, "the options literal cannot be laid out again"
	}
	indent := indentOf(src, start)
	out := strings.ReplaceAll(b.String(), "\n", lineEnding(src)+indent)
	return Edit{File: tf.Name(), Offset: start, End: end, New: out}, ""
}

// endsLineWithComma reports whether only a comma and blanks follow off on
// its line.
func endsLineWithComma(src []byte, off int) bool {
	if off >= len(src) || src[off] != ',' {
		return false
	}
	for off++; off < len(src) && src[off] != '\n'; off++ {
		if src[off] != ' ' && src[off] != '\t' && src[off] != '\r' {
			return false
		}
	}
	return off < len(src)
}
