package load

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"sync"
	"sync/atomic"

	"golang.org/x/tools/go/gcexportdata"
	"golang.org/x/tools/go/packages"
)

// An expLoad is go/packages' export load (loadMode, no NeedDeps) done on
// a listing the caller already has, so that a saved listing can stand
// for go list. It makes the same choices go/packages v0.52 makes in
// refine and loadPackage:
//   - every package gets a types.Package before its importers load;
//   - a target, and any package importing one (a test variant such as
//     "q [p.test]"), is type-checked from source, bodies only in targets;
//   - a direct import of those is read from its export data, with a
//     view of its transitive imports keyed by package path, one read at
//     a time, so that all share one set of types.Packages;
//   - every other package stays the empty types.Package the reads fill;
//   - a file is parsed once, whichever variants list it.
//
// Anything go/packages would report as an error (a listing error, a
// missing export file, a parse or type error) fails the whole load: the
// caller then runs go/packages, and the user sees its errors.
type expLoad struct {
	fset  *token.FileSet
	sizes types.Sizes
	parse parseFunc
	all   []*expPkg

	exportMu sync.Mutex // gcexportdata.Read may fill any package of the view
	parsed   sync.Map   // file name -> *parsedFile
	failed   atomic.Pointer[expFailure]
}

// An expPkg is one package of an expLoad.
type expPkg struct {
	l         *listed
	p         *packages.Package
	target    bool
	needsrc   bool // type-checked from source
	needtypes bool // needs complete types: a target, or imported by a needsrc package
	deps      []*expPkg
	users     []*expPkg
	pending   atomic.Int32
}

type expFailure struct {
	pkg string
	err error
}

type parsedFile struct {
	once sync.Once
	f    *ast.File
	err  error
}

// newExpLoad builds the packages and their import graph, or returns why
// go/packages must load instead.
func newExpLoad(l *listing, fset *token.FileSet, sizes types.Sizes, parse parseFunc) (*expLoad, error) {
	s := &expLoad{fset: fset, sizes: sizes, parse: parse}
	byID := make(map[string]*expPkg, len(l.pkgs))
	for _, lp := range l.pkgs {
		if why := exportUnfit(lp); why != "" {
			return nil, fmt.Errorf("%s: %s", lp.ImportPath, why)
		}
		if byID[lp.ImportPath] != nil {
			return nil, fmt.Errorf("go list reports %s twice", lp.ImportPath)
		}
		ep := &expPkg{l: lp, target: !lp.DepOnly, p: s.newPackage(lp)}
		byID[lp.ImportPath] = ep
		s.all = append(s.all, ep)
	}
	for _, ep := range s.all {
		if err := ep.link(byID); err != nil {
			return nil, err
		}
	}
	s.mark()
	return s, nil
}

// exportUnfit returns why go/packages would treat the package otherwise
// than an expLoad does, or "".
func exportUnfit(lp *listed) string {
	switch {
	case lp.Error != nil:
		return "go list reports an error: " + lp.Error.Err
	case len(lp.DepsErrors) > 0:
		return "go list reports errors in its dependencies"
	case lp.ImportPath == "unsafe":
		return ""
	case lp.Export == "":
		return "no export data" // go/packages would check it from source
	case !lp.DepOnly && len(lp.CgoFiles) > 0:
		return "a target with cgo files"
	case !lp.DepOnly && len(lp.compiledFiles()) == 0:
		return "a target without Go files"
	}
	return ""
}

// newPackage fills in what go/packages gives every package for loadMode.
func (s *expLoad) newPackage(lp *listed) *packages.Package {
	return &packages.Package{
		ID:              lp.ImportPath,
		Name:            lp.Name,
		PkgPath:         pkgPath(lp.ImportPath),
		GoFiles:         lp.goFiles(),
		CompiledGoFiles: lp.compiledFiles(),
		Module:          lp.Module,
		Fset:            s.fset,
		TypesSizes:      s.sizes,
		Imports:         make(map[string]*packages.Package),
	}
}

// link resolves ep's imports as go/packages does: ImportMap's entries
// under the path the source uses, the other Imports under their own.
func (ep *expPkg) link(byID map[string]*expPkg) error {
	ids := make(map[string]string) // import path -> ID
	for _, id := range ep.l.Imports {
		ids[id] = id
	}
	for path, id := range ep.l.ImportMap {
		delete(ids, id)
		ids[path] = id
	}
	seen := make(map[*expPkg]bool)
	for path, id := range ids {
		if id == "C" {
			continue
		}
		dep := byID[id]
		if dep == nil {
			return fmt.Errorf("%s: missing package %q", ep.l.ImportPath, id)
		}
		ep.p.Imports[path] = dep.p
		if !seen[dep] {
			seen[dep] = true
			ep.deps = append(ep.deps, dep)
			dep.users = append(dep.users, ep)
		}
	}
	ep.pending.Store(int32(len(ep.deps)))
	return nil
}

// mark decides which packages are checked from source: the targets and
// every package that imports one, as go/packages' refine does; and which
// need complete types: the targets and the imports of those.
func (s *expLoad) mark() {
	done := make(map[*expPkg]bool)
	var visit func(ep *expPkg) bool
	visit = func(ep *expPkg) bool {
		if !done[ep] {
			done[ep] = true
			ep.needsrc = ep.target && ep.l.ImportPath != "unsafe"
			for _, dep := range ep.deps {
				if visit(dep) {
					ep.needsrc = true
				}
			}
		}
		return ep.needsrc
	}
	for _, ep := range s.all {
		visit(ep)
	}
	for _, ep := range s.all {
		ep.needtypes = ep.needtypes || ep.target
		if ep.needsrc {
			for _, dep := range ep.deps {
				dep.needtypes = true
			}
		}
	}
}

// load loads every package, each after its imports, on every CPU, and
// returns the targets in go list's order.
func (s *expLoad) load() ([]*packages.Package, error) {
	inImportOrder(s.all, func(ep *expPkg) *atomic.Int32 { return &ep.pending },
		func(ep *expPkg) []*expPkg { return ep.users }, s.loadOne)
	if f := s.failed.Load(); f != nil {
		return nil, fmt.Errorf("%s: %v", f.pkg, f.err)
	}
	var out []*packages.Package
	for _, ep := range s.all {
		if ep.target {
			out = append(out, ep.p)
		}
	}
	return out, nil
}

// loadOne loads one package unless the load has failed already.
func (s *expLoad) loadOne(ep *expPkg) {
	if s.failed.Load() != nil {
		return
	}
	var err error
	switch {
	case ep.p.PkgPath == "unsafe":
		ep.p.Types = types.Unsafe
	case ep.needsrc:
		ep.p.Types = types.NewPackage(ep.p.PkgPath, ep.p.Name)
		err = s.check(ep)
	case ep.needtypes:
		ep.p.Types = types.NewPackage(ep.p.PkgPath, ep.p.Name)
		err = s.readExport(ep)
	default:
		// Filled by the export data of the packages importing it.
		ep.p.Types = types.NewPackage(ep.p.PkgPath, ep.p.Name)
	}
	if err != nil {
		s.failed.CompareAndSwap(nil, &expFailure{ep.l.ImportPath, err})
	}
}

// readExport reads ep's export data into a new package, completing the
// packages of its view that the data mentions.
func (s *expLoad) readExport(ep *expPkg) error {
	s.exportMu.Lock()
	defer s.exportMu.Unlock()
	f, err := os.Open(ep.l.exportFile())
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := gcexportdata.NewReader(f)
	if err != nil {
		return fmt.Errorf("reading %s: %v", ep.l.exportFile(), err)
	}
	view := make(map[string]*types.Package)
	seen := make(map[*expPkg]bool)
	var visit func(deps []*expPkg)
	visit = func(deps []*expPkg) {
		for _, d := range deps {
			if !seen[d] {
				seen[d] = true
				view[d.p.PkgPath] = d.p.Types
				visit(d.deps)
			}
		}
	}
	visit(ep.deps)
	tpkg, err := gcexportdata.Read(r, s.fset, view, ep.p.PkgPath)
	if err != nil {
		return fmt.Errorf("reading %s: %v", ep.l.exportFile(), err)
	}
	ep.p.Types = tpkg
	return nil
}

// check parses and type-checks ep from source into its types.Package,
// with function bodies in targets only.
func (s *expLoad) check(ep *expPkg) error {
	if len(ep.p.CompiledGoFiles) == 0 {
		return fmt.Errorf("sources missing for package %s", ep.l.ImportPath)
	}
	files := make([]*ast.File, 0, len(ep.p.CompiledGoFiles))
	for _, name := range ep.p.CompiledGoFiles {
		f, err := s.parseFile(name)
		if err != nil {
			return err
		}
		files = append(files, f)
	}
	ep.p.Syntax = files
	ep.p.TypesInfo = newTypesInfo()
	var first error
	conf := &types.Config{
		Importer:         importerFunc(ep.importPkg),
		IgnoreFuncBodies: !ep.target,
		Sizes:            s.sizes,
		Error: func(err error) {
			if first == nil {
				first = err
			}
		},
	}
	if m := ep.p.Module; m != nil && m.GoVersion != "" {
		conf.GoVersion = "go" + m.GoVersion
	}
	err := types.NewChecker(conf, s.fset, ep.p.Types, ep.p.TypesInfo).Files(files)
	if first != nil {
		return first
	}
	return err
}

// parseFile reads and parses a file once for all the packages that list it.
func (s *expLoad) parseFile(name string) (*ast.File, error) {
	v, _ := s.parsed.LoadOrStore(name, new(parsedFile))
	pf := v.(*parsedFile)
	pf.once.Do(func() {
		src, err := os.ReadFile(name)
		if err != nil {
			pf.err = err
			return
		}
		pf.f, pf.err = s.parse(s.fset, name, src)
	})
	return pf.f, pf.err
}

// importPkg resolves an import of ep to a dependency with complete types.
func (ep *expPkg) importPkg(path string) (*types.Package, error) {
	if path == "unsafe" {
		return types.Unsafe, nil
	}
	dep := ep.p.Imports[path]
	if dep == nil {
		return nil, fmt.Errorf("no metadata for %s", path)
	}
	if dep.Types == nil || !dep.Types.Complete() {
		return nil, fmt.Errorf("no complete types for %s", path)
	}
	return dep.Types, nil
}
