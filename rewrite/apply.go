package rewrite

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/queuefix/queuefix/rewrite/internal/udiff"
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
			relayout(files, spans, findings)
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
	typed := make(map[string]bool)
	for _, f := range findings {
		if f.Status != Change {
			continue
		}
		if f.Rule == RuleTyped {
			for _, e := range f.Edits {
				typed[e.File] = true
			}
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
	a.checkPackages(typed, parsed, broken)
	return broken
}

// checkPackages type-checks again, whole, every package variant that
// holds a file in changed (the typed rule's: retyping a queue reaches
// every use of it and of its items), with the new syntax of the changed
// files, and then every loaded package that imports one of them, against
// the new types. A package that fails marks the changed files it holds,
// or for an importer all changed files, broken.
func (a *index) checkPackages(changed map[string]bool, parsed map[string]parsedFile, broken map[string]*Cause) {
	if len(changed) == 0 {
		return
	}
	fresh := make(map[string]*types.Package) // by package ID
	for _, pkg := range a.depOrder() {
		mine := holding(pkg, changed)
		if len(mine) == 0 && !importsAny(pkg, fresh) {
			continue
		}
		tp, err := a.checkPackage(pkg, parsed, fresh)
		fresh[pkg.ID] = tp
		if err == nil {
			continue
		}
		if len(mine) == 0 {
			mine = sortedKeys(changed)
		}
		for _, f := range mine {
			if broken[f] == nil {
				broken[f] = editCause(a.fset, err)
			}
		}
	}
}

func holding(pkg *packages.Package, changed map[string]bool) []string {
	var mine []string
	for _, f := range pkg.CompiledGoFiles {
		if changed[f] {
			mine = append(mine, f)
		}
	}
	return mine
}

func importsAny(pkg *packages.Package, fresh map[string]*types.Package) bool {
	for _, imp := range pkg.Imports {
		if fresh[imp.ID] != nil {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// depOrder returns the loaded packages, each after the loaded packages it
// imports.
func (a *index) depOrder() []*packages.Package {
	byID := make(map[string]*packages.Package, len(a.pkgs))
	for _, p := range a.pkgs {
		byID[p.ID] = p
	}
	seen := make(map[string]bool)
	var out []*packages.Package
	var visit func(p *packages.Package)
	visit = func(p *packages.Package) {
		if seen[p.ID] {
			return
		}
		seen[p.ID] = true
		paths := make([]string, 0, len(p.Imports))
		for path := range p.Imports {
			paths = append(paths, path)
		}
		sort.Strings(paths)
		for _, path := range paths {
			if dep := byID[p.Imports[path].ID]; dep != nil {
				visit(dep)
			}
		}
		out = append(out, p)
	}
	for _, p := range a.pkgs {
		visit(p)
	}
	return out
}

// checkPackage type-checks pkg with the new syntax of the files in parsed
// and the new types of the packages in fresh (by ID), and returns its
// new types and the first error.
func (a *index) checkPackage(pkg *packages.Package, parsed map[string]parsedFile, fresh map[string]*types.Package) (*types.Package, error) {
	files := make([]*ast.File, len(pkg.Syntax))
	for i, f := range pkg.Syntax {
		files[i] = f
		if p, ok := parsed[a.fset.File(f.FileStart).Name()]; ok {
			if p.err != nil {
				return nil, p.err
			}
			files[i] = p.syntax
		}
	}
	byPath := make(map[string]*types.Package)
	for _, imp := range pkg.Types.Imports() {
		byPath[imp.Path()] = imp
	}
	imp := importerFunc(func(path string) (*types.Package, error) {
		if path == "unsafe" {
			return types.Unsafe, nil
		}
		p := pkg.Imports[path]
		if p == nil {
			return nil, fmt.Errorf("%s: import %s not loaded", pkg.PkgPath, path)
		}
		if t := fresh[p.ID]; t != nil {
			return t, nil
		}
		if t := byPath[p.PkgPath]; t != nil {
			return t, nil
		}
		return nil, fmt.Errorf("%s: import %s not loaded", pkg.PkgPath, path)
	})
	var first error
	conf := types.Config{Importer: imp, Sizes: pkg.TypesSizes, Error: func(err error) {
		if first == nil {
			// "have/want" details go on lines of their own: keep the first.
			if te, ok := err.(types.Error); ok {
				te.Msg, _, _ = strings.Cut(te.Msg, "\n")
				err = te
			}
			first = err
		}
	}}
	tp, _ := conf.Check(pkg.PkgPath, a.fset, files, nil)
	return tp, first
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

// importerFunc is a types.Importer made of a function.
type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }
