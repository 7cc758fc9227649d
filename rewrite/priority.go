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

	"github.com/queuefix/queuefix/rewrite/internal/match"
	"github.com/queuefix/queuefix/rewrite/internal/source"
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
	if !ok || !match.IsPriorityAdd(fn) {
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
func (a *index) dropRateLimited(s *site, f Finding) Finding {
	e, why := a.withoutElement(s.fi, s.opts, s.limited)
	if why == "" && !isTrue(s.pkg.TypesInfo, s.limited.Value) {
		why = "RateLimited is set to " + a.text(s.limited.Value) + ", which is always true, and removing it could leave a name unused"
	}
	if why != "" {
		f.Status, f.checks = Review, nil
		f.Message = a.what(s) + " is reached only from event handlers, but " + why + "; drop RateLimited by hand"
		return f
	}
	f.Message = a.what(s) + " is reached only from event handlers: drop RateLimited (rate limiting is for retries after errors)"
	f.Fix = FixDropRateLimited
	f.Edits = []Edit{e}
	return f
}

// isTrue reports whether e is the predeclared true: deleting it deletes
// no use of a name the file declares or imports.
func isTrue(info *types.Info, e ast.Expr) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && info.Uses[id] == types.Universe.Lookup("true")
}

// withoutElement returns the edit that removes elt from lit: its own line
// when it has one, else the element and the separator next to it. A
// literal on several lines is then laid out again as gofmt would, since a
// key-value column aligned to the longest key may change.
func (a *index) withoutElement(fi *fileInfo, lit *ast.CompositeLit, elt ast.Expr) (Edit, string) {
	for _, c := range fi.syntax.Comments {
		if c.Pos() >= lit.Pos() && c.End() <= lit.End() {
			return Edit{}, "the options literal holds comments"
		}
	}
	src := fi.source()
	tf := a.fset.File(lit.Pos())
	elts := lit.Elts
	i := slices.Index(elts, elt)
	pos, end := tf.Offset(elt.Pos()), tf.Offset(elt.End())
	var from, to int
	switch {
	case len(elts) == 1:
		from, to = tf.Offset(lit.Lbrace)+1, tf.Offset(lit.Rbrace)
	case source.StartsLine(src, pos) && source.EndsLineWithComma(src, end):
		from, to = source.LineStart(src, pos), source.NextNewline(src, end)+1
	case i < len(elts)-1:
		from, to = pos, tf.Offset(elts[i+1].Pos())
	default:
		from, to = tf.Offset(elts[i-1].End()), end
	}
	if len(elts) == 1 || tf.Line(lit.Lbrace) == tf.Line(lit.Rbrace) {
		return Edit{File: tf.Name(), Offset: from, End: to}, ""
	}
	return a.relaid(src, tf, lit, from, to)
}

// relaid returns the edit that replaces lit with its text less
// src[from:to], formatted by go/format and indented like the line lit
// starts on (but for the inside of raw strings, whose value it would
// change).
func (a *index) relaid(src []byte, tf *token.File, lit *ast.CompositeLit, from, to int) (Edit, string) {
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
	out, err := source.IndentLines(b.String(), source.LineEnding(src), source.IndentOf(src, start))
	if err != nil {
		return Edit{}, "the options literal cannot be laid out again"
	}
	return Edit{File: tf.Name(), Offset: start, End: end, New: out}, ""
}
