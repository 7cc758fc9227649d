package load

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"golang.org/x/tools/go/packages"
)

// A srcPkg is one package of a source load while it is type-checked.
type srcPkg struct {
	l       *listed
	target  bool
	deps    []*srcPkg
	users   []*srcPkg
	pending atomic.Int32 // dependencies not yet checked

	types  *types.Package
	syntax []*ast.File // targets only
	info   *types.Info // targets only
	err    error       // the first error, parse or type
}

// A srcLoad type-checks a listing from source without compiling anything:
// dependencies with IgnoreFuncBodies, dropping their syntax once checked,
// targets fully, as go/packages does when it has no export data. Packages
// are checked in import order on every CPU.
type srcLoad struct {
	fset     *token.FileSet
	sizes    types.Sizes
	parse    func(fset *token.FileSet, name string, src []byte) (*ast.File, error)
	byID     map[string]*srcPkg
	all      []*srcPkg
	failed   atomic.Pointer[srcPkg] // the first package with an error: the load stops
	done     atomic.Int64
	progress func(done, total int)
}

func newSrcLoad(l *listing, fset *token.FileSet, parse func(*token.FileSet, string, []byte) (*ast.File, error)) *srcLoad {
	s := &srcLoad{fset: fset, parse: parse, byID: make(map[string]*srcPkg, len(l.pkgs))}
	s.sizes = types.SizesFor("gc", l.arch)
	for _, p := range l.pkgs {
		sp := &srcPkg{l: p, target: !p.DepOnly}
		s.byID[p.ImportPath] = sp
		s.all = append(s.all, sp)
	}
	for _, sp := range s.all {
		for _, id := range sp.l.Imports {
			if dep := s.byID[id]; dep != nil && id != "unsafe" {
				sp.deps = append(sp.deps, dep)
				dep.users = append(dep.users, sp)
			}
		}
		sp.pending.Store(int32(len(sp.deps)))
	}
	return s
}

// check type-checks every package and returns the first that failed.
func (s *srcLoad) check() *srcPkg {
	lowerGC()
	defer restoreGC()
	inImportOrder(s.all, func(sp *srcPkg) *atomic.Int32 { return &sp.pending },
		func(sp *srcPkg) []*srcPkg { return sp.users }, s.checkOne)
	return s.failed.Load()
}

// checkOne parses and type-checks one package, unless the load has
// already failed: then it only marks the package done.
func (s *srcLoad) checkOne(sp *srcPkg) {
	defer func() {
		if s.progress != nil {
			s.progress(int(s.done.Add(1)), len(s.all))
		}
	}()
	if s.failed.Load() != nil {
		return
	}
	if sp.err = s.typeCheck(sp); sp.err != nil {
		s.failed.CompareAndSwap(nil, sp)
	}
}

func (s *srcLoad) typeCheck(sp *srcPkg) error {
	if sp.l.ImportPath == "unsafe" {
		sp.types = types.Unsafe
		return nil
	}
	files, err := s.parseFiles(sp)
	if err != nil {
		return err
	}
	conf := types.Config{
		Importer:         importerFunc(sp.importPkg),
		IgnoreFuncBodies: !sp.target,
		Sizes:            s.sizes,
		Error:            func(error) {}, // keep going: all errors, as go/packages
	}
	if m := sp.l.Module; m != nil && m.GoVersion != "" {
		conf.GoVersion = "go" + m.GoVersion
	}
	var info *types.Info
	if sp.target {
		info = newTypesInfo()
	}
	pkg, err := conf.Check(pkgPath(sp.l.ImportPath), s.fset, files, info)
	sp.types = types.NewPackage(pkgPath(sp.l.ImportPath), sp.l.Name)
	if pkg != nil {
		sp.types = pkg
	}
	if sp.target {
		sp.syntax, sp.info = files, info
	} else {
		dropLines(s.fset, files)
	}
	return err
}

// dropLines forgets where the lines of a dependency's files start: only
// targets' positions are ever printed, and the line tables of every file
// in the graph were a sixth of a source load's heap.
func dropLines(fset *token.FileSet, files []*ast.File) {
	for _, f := range files {
		fset.File(f.FileStart).SetLines([]int{0})
	}
}

// gcDuringLoad is the GOGC of a source load. Nearly everything it
// allocates for a dependency (file contents, syntax) is garbage once the
// dependency is checked, while its types stay. On examples/leaky (775
// packages with client-go) GOGC 100 peaked at 187-203 MiB RSS for 3.8-4.2 s
// of CPU, 50 at 138 MiB for 5.7 s, 25 at 131 MiB for 7.7 s.
const gcDuringLoad = 50

var (
	gcMu    sync.Mutex
	gcLoads int // source loads running (-modules runs two at a time)
	gcSaved int
)

func lowerGC() {
	gcMu.Lock()
	defer gcMu.Unlock()
	if gcLoads == 0 {
		gcSaved = debug.SetGCPercent(gcDuringLoad)
	}
	gcLoads++
}

func restoreGC() {
	gcMu.Lock()
	defer gcMu.Unlock()
	if gcLoads--; gcLoads == 0 {
		debug.SetGCPercent(gcSaved)
	}
}

// parseFiles parses a package's files; a dependency's only for its
// declarations (its bodies are ignored, and its syntax dropped after).
func (s *srcLoad) parseFiles(sp *srcPkg) ([]*ast.File, error) {
	files := make([]*ast.File, 0, len(sp.l.GoFiles))
	for _, name := range sp.l.GoFiles {
		name = absFile(sp.l.Dir, name)
		src, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var f *ast.File
		if sp.target {
			f, err = s.parse(s.fset, name, src)
		} else {
			f, err = parser.ParseFile(s.fset, name, src, parser.SkipObjectResolution)
		}
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// importPkg resolves an import of sp through go list's ImportMap (vendor
// directories, test variants) to a checked dependency.
func (sp *srcPkg) importPkg(path string) (*types.Package, error) {
	if path == "unsafe" {
		return types.Unsafe, nil
	}
	id := path
	if mapped, ok := sp.l.ImportMap[path]; ok {
		id = mapped
	}
	for _, dep := range sp.deps {
		if dep.l.ImportPath == id && dep.types != nil {
			return dep.types, nil
		}
	}
	return nil, fmt.Errorf("%s: no package %s in the listing", sp.l.ImportPath, id)
}

// packages returns the targets as go/packages would, in go list's order.
func (s *srcLoad) packages() []*packages.Package {
	made := make(map[*srcPkg]*packages.Package)
	var out []*packages.Package
	for _, sp := range s.all {
		if sp.target {
			out = append(out, s.pkg(sp, made))
		}
	}
	return out
}

func (s *srcLoad) pkg(sp *srcPkg, made map[*srcPkg]*packages.Package) *packages.Package {
	if p := made[sp]; p != nil {
		return p
	}
	files := make([]string, len(sp.l.GoFiles))
	for i, name := range sp.l.GoFiles {
		files[i] = absFile(sp.l.Dir, name)
	}
	p := &packages.Package{
		ID:              sp.l.ImportPath,
		Name:            sp.l.Name,
		PkgPath:         pkgPath(sp.l.ImportPath),
		GoFiles:         files,
		CompiledGoFiles: files,
		Types:           sp.types,
		Fset:            s.fset,
		Module:          sp.l.Module,
		Imports:         make(map[string]*packages.Package),
	}
	if sp.target {
		p.Syntax, p.TypesInfo, p.TypesSizes = sp.syntax, sp.info, s.sizes
	}
	made[sp] = p
	for _, dep := range sp.deps {
		path := importPathOf(sp.l, dep.l.ImportPath)
		p.Imports[path] = &packages.Package{ID: dep.l.ImportPath, PkgPath: pkgPath(dep.l.ImportPath), Name: dep.l.Name, Types: dep.types}
	}
	return p
}

// importPathOf returns the path sp's source uses for the package id.
func importPathOf(l *listed, id string) string {
	for path, mapped := range l.ImportMap {
		if mapped == id {
			return path
		}
	}
	return id
}

// pkgPath drops the test variant suffix of a go list ID: "p [p.test]" -> "p".
func pkgPath(id string) string {
	for i := range len(id) {
		if id[i] == ' ' {
			return id[:i]
		}
	}
	return id
}

func absFile(dir, name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(dir, name)
}

func newTypesInfo() *types.Info {
	return &types.Info{
		Types:        make(map[ast.Expr]types.TypeAndValue),
		Defs:         make(map[*ast.Ident]types.Object),
		Uses:         make(map[*ast.Ident]types.Object),
		Implicits:    make(map[ast.Node]types.Object),
		Instances:    make(map[*ast.Ident]types.Instance),
		Scopes:       make(map[ast.Node]*types.Scope),
		Selections:   make(map[*ast.SelectorExpr]*types.Selection),
		FileVersions: make(map[*ast.File]string),
	}
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }
