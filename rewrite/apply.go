package rewrite

import (
	"github.com/queuefix/queuefix/rewrite/internal/udiff"

	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"sort"
	"strings"
)

// replace returns an edit of fi's bytes [pos, end).
func (a *index) replace(fi *fileInfo, pos, end token.Pos, text string) Edit {
	return Edit{
		File:   a.fset.File(pos).Name(),
		Offset: a.fset.Position(pos).Offset,
		End:    a.fset.Position(end).Offset,
		New:    text,
	}
}

// apply splices the planned edits into the original bytes, so that every
// line no rule touched stays byte for byte as it was, then verifies them:
// each changed file must parse, and the call each edit writes must
// type-check where it stands. A file with an edit that fails loses all of
// its edits; their findings turn into review findings that quote the error.
func (a *index) apply(findings []Finding) ([]Finding, []File) {
	for {
		files, spans := a.splice(findings)
		broken := a.verify(files, spans, findings)
		if len(broken) == 0 {
			return findings, filesOf(files)
		}
		for i := range findings {
			f := &findings[i]
			if f.Status != Change {
				continue
			}
			if err, ok := broken[f.Edits[0].File]; ok {
				f.Status, f.Edits, f.Fix, f.checks = Review, nil, "", nil
				f.Message += "; not applied, the edit does not type-check: "
				f.Cause = err
			}
		}
	}
}

// splice returns the new bytes of each file the Change findings edit, and
// where each edit's text lies in them.
func (a *index) splice(findings []Finding) (map[string]*File, map[Edit][2]int) {
	edits := make(map[string][]Edit)
	for _, f := range findings {
		if f.Status == Change {
			for _, e := range f.Edits {
				edits[e.File] = append(edits[e.File], e)
			}
		}
	}
	files := make(map[string]*File)
	spans := make(map[Edit][2]int)
	for name, es := range edits {
		old := a.files[name].source()
		nf := &File{Path: name, Old: old}
		nf.New = spliceEdits(old, es, spans)
		files[name] = nf
	}
	return files, spans
}

// spliceEdits applies non-overlapping edits to src, records in spans where
// each edit's text lies in the new bytes, and returns them. Identical
// edits (one site seen by two rules or two package variants) apply once.
func spliceEdits(src []byte, edits []Edit, spans map[Edit][2]int) []byte {
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].Offset < edits[j].Offset })
	var b strings.Builder
	last := 0
	for i, e := range edits {
		if i > 0 && e == edits[i-1] {
			continue
		}
		b.Write(src[last:e.Offset])
		spans[e] = [2]int{b.Len(), b.Len() + len(e.New)}
		b.WriteString(e.New)
		last = e.End
	}
	b.Write(src[last:])
	return []byte(b.String())
}

// filesOf returns the changed files in path order, with their diffs'
// hunks computed a file per CPU.
func filesOf(m map[string]*File) []File {
	out := make([]File, 0, len(m))
	for _, f := range m {
		out = append(out, *f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	parallel(len(out), func(i int) {
		out[i].hunks = udiff.Hunks(out[i].Old, out[i].New, udiff.DefaultContext)
	})
	return out
}

// verify returns, per changed file, the first reason its edits fail: the
// new bytes do not parse, or the call an edit writes does not type-check.
//
// The edits rename AddRateLimited to Add in a call, insert calls as
// statements, and delete `RateLimited: true` from an options literal
// (only the predeclared true: priority.go); they declare nothing, remove
// no use of a name the file declares or imports, and leave every other
// line as it was. So the only new type errors they can cause are in the
// calls they write or edit, and each is checked with types.CheckExpr
// in the package it was planned in, with its names looked up in the scope
// at its place in the original file (the forget rule has already required
// those names to mean the same there as at the point of insertion). This
// costs a few microseconds per edit where re-checking the packages would
// cost a second type-check of everything that was loaded.
func (a *index) verify(files map[string]*File, spans map[Edit][2]int, findings []Finding) map[string]*Cause {
	parsed := a.parseNew(files)
	broken := make(map[string]*Cause)
	for name, p := range parsed {
		if p.err != nil {
			broken[name] = editCause(a.fset, p.err)
		}
	}
	done := make(map[Edit]bool)
	for _, f := range findings {
		if f.Status != Change {
			continue
		}
		for i, e := range f.Edits {
			if done[e] || broken[e.File] != nil {
				continue
			}
			done[e] = true
			if err := a.checkEdit(parsed[e.File].syntax, spans[e], f.checks[i]); err != nil {
				broken[e.File] = editCause(a.fset, err)
			}
		}
	}
	return broken
}

// callWritten returns the outermost call whose method name lies in span.
func callWritten(f *ast.File, tf *token.File, span [2]int) *ast.CallExpr {
	var call *ast.CallExpr
	ast.Inspect(f, func(n ast.Node) bool {
		if call != nil {
			return false
		}
		if n != nil && (tf.Offset(n.End()) <= span[0] || tf.Offset(n.Pos()) >= span[1]) {
			return false
		}
		if ce, ok := n.(*ast.CallExpr); ok {
			if sel, ok := ast.Unparen(ce.Fun).(*ast.SelectorExpr); ok {
				if off := tf.Offset(sel.Sel.Pos()); span[0] <= off && off < span[1] {
					call = ce
				}
			}
		}
		return call == nil
	})
	return call
}

// callAround returns the innermost call whose parentheses enclose span.
func callAround(f *ast.File, tf *token.File, span [2]int) *ast.CallExpr {
	var call *ast.CallExpr
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil || tf.Offset(n.Pos()) > span[0] || tf.Offset(n.End()) < span[1] {
			return false
		}
		if ce, ok := n.(*ast.CallExpr); ok && tf.Offset(ce.Lparen) < span[0] && span[1] <= tf.Offset(ce.Rparen) {
			call = ce
		}
		return true
	})
	return call
}

type parsedFile struct {
	syntax *ast.File
	err    error
}

// parseNew parses the new bytes of each changed file, a file per CPU.
func (a *index) parseNew(files map[string]*File) map[string]parsedFile {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	parsed := make([]parsedFile, len(names))
	parallel(len(names), func(i int) {
		f, err := parser.ParseFile(a.fset, names[i], files[names[i]].New, parser.SkipObjectResolution)
		parsed[i] = parsedFile{f, err}
	})
	out := make(map[string]parsedFile, len(files))
	for i, name := range names {
		out[name] = parsed[i]
	}
	return out
}

// checkEdit type-checks the call the edit wrote: the outermost call in
// the new file whose method name lies in the edit's text or, for an edit
// inside a call's arguments (a deletion, an options literal laid out
// again), the innermost call whose parentheses enclose the edit.
func (a *index) checkEdit(f *ast.File, span [2]int, c editCheck) error {
	tf := a.fset.File(f.FileStart)
	call := callWritten(f, tf, span)
	if call == nil {
		call = callAround(f, tf, span)
	}
	if call == nil {
		return &Cause{Pos: a.fset.Position(tf.Pos(span[0])), Text: "the edit wrote no method call"}
	}
	return types.CheckExpr(a.fset, c.pkg, c.pos, call, nil)
}
