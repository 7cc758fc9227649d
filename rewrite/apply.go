package rewrite

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"

	"golang.org/x/tools/go/packages"
)

// replace returns an edit of fi's bytes [pos, end).
func (a *analysis) replace(fi *fileInfo, pos, end token.Pos, text string) Edit {
	return Edit{
		File:   a.fset.File(pos).Name(),
		Offset: a.fset.Position(pos).Offset,
		End:    a.fset.Position(end).Offset,
		New:    text,
	}
}

// apply splices the planned edits into the original bytes, so that every
// line no rule touched stays byte for byte as it was, then type-checks
// every package that holds a changed file with the new bytes. A file whose
// edits break a package loses all of its edits; their findings turn into
// review findings that quote the type error.
func (a *analysis) apply(findings []Finding) ([]Finding, []File) {
	for {
		files := a.splice(findings)
		broken := a.verify(files)
		if len(broken) == 0 {
			return findings, filesOf(files)
		}
		for i := range findings {
			f := &findings[i]
			if f.Status != Change {
				continue
			}
			if err, ok := broken[f.Edits[0].File]; ok {
				f.Status, f.Edits = Review, nil
				f.Message += "; not applied, the edit does not type-check: " + err
			}
		}
	}
}

// splice returns the new bytes of each file the Change findings edit.
func (a *analysis) splice(findings []Finding) map[string]*File {
	edits := make(map[string][]Edit)
	for _, f := range findings {
		if f.Status == Change {
			for _, e := range f.Edits {
				edits[e.File] = append(edits[e.File], e)
			}
		}
	}
	files := make(map[string]*File)
	a.spans = make(map[string][][2]int)
	for name, es := range edits {
		old := a.files[name].source()
		nf := &File{Path: name, Old: old}
		nf.New, a.spans[name] = spliceEdits(old, es)
		files[name] = nf
	}
	return files
}

// spliceEdits applies non-overlapping edits to src and returns the new
// bytes and where each edit's text lies in them. Identical edits (one site
// seen by two rules or two package variants) apply once.
func spliceEdits(src []byte, edits []Edit) ([]byte, [][2]int) {
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].Offset < edits[j].Offset })
	var b strings.Builder
	var spans [][2]int
	last := 0
	for i, e := range edits {
		if i > 0 && e == edits[i-1] {
			continue
		}
		b.Write(src[last:e.Offset])
		spans = append(spans, [2]int{b.Len(), b.Len() + len(e.New)})
		b.WriteString(e.New)
		last = e.End
	}
	b.Write(src[last:])
	return []byte(b.String()), spans
}

func filesOf(m map[string]*File) []File {
	out := make([]File, 0, len(m))
	for _, f := range m {
		out = append(out, *f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// verify type-checks each package variant that holds a changed file,
// against the dependencies it was loaded with (no second go list), and
// returns the first error per changed file of each package that fails.
func (a *analysis) verify(files map[string]*File) map[string]string {
	var mu sync.Mutex
	broken := make(map[string]string)
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for _, pkg := range a.pkgs {
		changed := changedFiles(pkg, files)
		if len(changed) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := a.typeCheck(pkg, files); err != nil {
				mu.Lock()
				for _, name := range changed {
					broken[name] = err.Error()
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return broken
}

func changedFiles(pkg *packages.Package, files map[string]*File) []string {
	var out []string
	for _, name := range pkg.CompiledGoFiles {
		if files[name] != nil {
			out = append(out, name)
		}
	}
	return out
}

// typeCheck checks pkg with the new bytes of its changed files. The
// edits rename calls and add statements inside function bodies and change
// no declaration, so only the bodies that hold an edit can break: every
// other body is left out, which keeps the check in proportion to the edits
// rather than to the package. Unused imports, which leaving bodies out
// causes, do not count.
func (a *analysis) typeCheck(pkg *packages.Package, files map[string]*File) error {
	syntax := make([]*ast.File, 0, len(pkg.Syntax))
	for _, f := range pkg.Syntax {
		name := a.fset.File(f.FileStart).Name()
		nf := files[name]
		if nf == nil {
			syntax = append(syntax, withoutBodies(f))
			continue
		}
		parsed, err := parser.ParseFile(a.fset, name, nf.New, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		syntax = append(syntax, withoutBodiesExcept(parsed, a.editedDecls(parsed, a.spans[name])))
	}
	var first error
	conf := types.Config{
		Importer:  importerFor(pkg),
		Sizes:     pkg.TypesSizes,
		GoVersion: goVersion(pkg),
		Error: func(err error) {
			if first == nil && counts(err) {
				first = err
			}
		},
	}
	conf.Check(pkg.PkgPath, a.fset, syntax, nil)
	return first
}

// editedDecls returns the function declarations of f that hold an edit.
func (a *analysis) editedDecls(f *ast.File, spans [][2]int) map[*ast.FuncDecl]bool {
	tf := a.fset.File(f.FileStart)
	keep := make(map[*ast.FuncDecl]bool)
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		start, end := tf.Offset(fd.Pos()), tf.Offset(fd.End())
		for _, sp := range spans {
			if sp[0] < end && sp[1] >= start {
				keep[fd] = true
			}
		}
	}
	return keep
}

// unusedImport matches go/types' "imported and not used" errors, with or
// without the "as name" of a renamed import.
var unusedImport = regexp.MustCompile(`imported (as \S+ )?and not used`)

// counts reports whether a type error can be the edits' doing: leaving
// bodies out makes imports unused, nothing else.
func counts(err error) bool {
	te, ok := err.(types.Error)
	return !ok || !te.Soft || !unusedImport.MatchString(te.Msg)
}

// withoutBodies returns a copy of f whose functions have no bodies.
func withoutBodies(f *ast.File) *ast.File { return withoutBodiesExcept(f, nil) }

// withoutBodiesExcept returns a copy of f whose functions, but those in
// keep, have no bodies. f itself is shared and never modified.
func withoutBodiesExcept(f *ast.File, keep map[*ast.FuncDecl]bool) *ast.File {
	c := *f
	c.Decls = make([]ast.Decl, len(f.Decls))
	for i, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil && !keep[fd] {
			bodiless := *fd
			bodiless.Body = nil
			d = &bodiless
		}
		c.Decls[i] = d
	}
	return &c
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// importerFor resolves imports to the packages pkg was checked against.
func importerFor(pkg *packages.Package) types.Importer {
	return importerFunc(func(path string) (*types.Package, error) {
		if path == "unsafe" {
			return types.Unsafe, nil
		}
		if imp := pkg.Imports[path]; imp != nil && imp.Types != nil {
			return imp.Types, nil
		}
		return nil, fmt.Errorf("%s is not imported by %s", path, pkg.PkgPath)
	})
}

func goVersion(pkg *packages.Package) string {
	if pkg.Module != nil && pkg.Module.GoVersion != "" {
		return "go" + pkg.Module.GoVersion
	}
	return ""
}
