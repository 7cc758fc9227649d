package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/tools/go/callgraph"
	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/ssa"

	"github.com/queuefix/queuefix/rewrite/internal/reach"
)

// analysis holds what the rules share: the packages, their SSA form and
// call graph, the handler roots, and what is reached from where.
type analysis struct {
	pkgs    []*packages.Package
	fset    *token.FileSet
	prog    *program
	graph   *reach.Graph
	flow    *reach.Flow
	roots   map[*ssa.Function]root
	escaped map[*ssa.Function]escape // func values handed to code we cannot see
	handler *reach.Tree              // reached from event-handler roots
	other   *reach.Tree              // reached from any other entry point
	files   map[string]*fileInfo     // by absolute file name
	// instances maps a generic function (or a closure in one) to its
	// instantiations, which are what the call graph holds.
	instances map[*ssa.Function][]*ssa.Function
	apis      map[string][]*types.Package // client-go packages by path, one per copy
	mu        sync.Mutex                  // guards ignore.used: the rules run concurrently
	since     time.Time                   // when loading started

	closed bool                   // Options.Closed
	open   map[*ssa.Function]bool // entries only because the world may call them (see onlyOpenWorld)
	// Named interfaces of the import graph by method name, for onlyOpenWorld;
	// genericMethods holds the method names generic interfaces declare.
	ifaces         map[string][]*types.Interface
	genericMethods map[string]bool

	summary func(*types.Func) *Summary // Unit.Summary: dependencies' functions, one package at a time
}

// fileInfo is what the rules need to know about one source file, whichever
// package variants hold it.
type fileInfo struct {
	pkg       *packages.Package
	syntax    *ast.File
	name      string
	size      int       // of the bytes the syntax was parsed from
	since     time.Time // when loading started
	generated bool
	vendored  bool
	ignores   []*ignore

	once    sync.Once
	src     []byte // read on first use: most files are never edited
	readErr error  // the file could not be read again, or changed
}

// source returns the file's bytes, read once, when a rule first needs
// them; err says why there are none.
func (fi *fileInfo) source() []byte {
	fi.read()
	return fi.src
}

func (fi *fileInfo) err() error {
	fi.read()
	return fi.readErr
}

// read reads the file and checks that it still holds what was parsed.
func (fi *fileInfo) read() {
	fi.once.Do(func() {
		info, err := os.Stat(fi.name)
		if err == nil && info.ModTime().After(fi.since) {
			err = fmt.Errorf("%s changed while queuefix was running; run queuefix again", fi.name)
		}
		if err == nil {
			fi.src, err = os.ReadFile(fi.name)
		}
		if err == nil && len(fi.src) != fi.size {
			err = fmt.Errorf("%s changed while queuefix was running; run queuefix again", fi.name)
		}
		if err != nil {
			fi.src, fi.readErr = nil, err
		}
	})
}

// newAnalysis indexes the packages' files and the client-go APIs they see.
func newAnalysis(pkgs []*packages.Package, since time.Time) *analysis {
	a := &analysis{pkgs: pkgs, fset: pkgs[0].Fset, since: since}
	a.indexFiles()
	a.indexAPIs()
	return a
}

// buildGraph builds the SSA slice and its call graph, finds the roots and
// walks what they reach.
func (a *analysis) buildGraph(opts Options) {
	opts.progress("building SSA for %d packages", len(a.pkgs))
	a.prog = buildProgram(a.pkgs)
	opts.progress("computing the call graph of %d functions", len(a.prog.funcs))
	a.instances = instancesOf(a.prog.funcs)
	a.graph = reach.NewGraph(a.prog.funcs)
	a.resolveOpenInvokes()
	a.flow = reach.NewFlow(a.graph)
	a.roots, a.escaped = a.findRoots()
	a.closed = opts.Closed
	a.handler = a.graph.Forward(a.sortedRoots(), nil)
	a.other = a.graph.Forward(a.otherEntries(), a.countsAsCaller)
	opts.progress("checking %d packages", len(a.pkgs))
}

// indexFiles records each Go file once, with its directives.
func (a *analysis) indexFiles() {
	a.files = make(map[string]*fileInfo)
	for _, pkg := range a.pkgs {
		goFiles := make(map[string]bool, len(pkg.GoFiles))
		for _, f := range pkg.GoFiles {
			goFiles[f] = true
		}
		for _, f := range pkg.Syntax {
			name := a.fset.File(f.FileStart).Name()
			if !goFiles[name] || a.files[name] != nil {
				continue // cgo output, or seen in another variant
			}
			a.files[name] = a.newFileInfo(pkg, f, name)
		}
	}
}

func (a *analysis) newFileInfo(pkg *packages.Package, f *ast.File, name string) *fileInfo {
	fi := &fileInfo{
		pkg:       pkg,
		syntax:    f,
		name:      name,
		size:      a.fset.File(f.FileStart).Size(),
		since:     a.since,
		generated: ast.IsGenerated(f),
		vendored:  strings.Contains(filepath.ToSlash(name), "/vendor/"),
	}
	if hasIgnores(f) && fi.err() == nil {
		fi.ignores = parseIgnores(a.fset, f, fi.source())
	}
	return fi
}

// indexAPIs finds the copies of the client-go packages queuefix matches
// against anywhere in the import graph (a module may see one through
// vendor/, or none at all).
func (a *analysis) indexAPIs() {
	a.apis = make(map[string][]*types.Package)
	seen := make(map[*types.Package]bool)
	var visit func(p *types.Package)
	visit = func(p *types.Package) {
		if seen[p] {
			return
		}
		seen[p] = true
		for _, path := range []string{workqueuePath, cachePath} {
			if isPkg(p, path) {
				a.apis[path] = append(a.apis[path], p)
			}
		}
		for _, imp := range p.Imports() {
			visit(imp)
		}
	}
	for _, pkg := range a.pkgs {
		visit(pkg.Types)
	}
}

// apiPkgs returns the copies of the package at path.
func (a *analysis) apiPkgs(path string) []*types.Package { return a.apis[path] }

// sortedRoots returns the roots in order of registration, so chains are
// stable and start at the first registration in the source.
func (a *analysis) sortedRoots() []*ssa.Function {
	out := make([]*ssa.Function, 0, len(a.roots))
	for fn := range a.roots {
		out = append(out, fn)
	}
	sort.Slice(out, func(i, j int) bool {
		if c := a.comparePos(a.roots[out[i]].pos, a.roots[out[j]].pos); c != 0 {
			return c < 0
		}
		return out[i].String() < out[j].String()
	})
	return out
}

// comparePos compares positions by file name, then offset (not by Pos:
// files enter the FileSet in load order).
func (a *analysis) comparePos(p, q token.Pos) int {
	pp, pq := a.fset.Position(p), a.fset.Position(q)
	if c := strings.Compare(pp.Filename, pq.Filename); c != 0 {
		return c
	}
	return pp.Offset - pq.Offset
}

func (a *analysis) sortFuncs(fns []*ssa.Function) {
	sort.Slice(fns, func(i, j int) bool {
		if c := a.comparePos(fns[i].Pos(), fns[j].Pos()); c != 0 {
			return c < 0
		}
		return fns[i].String() < fns[j].String()
	})
}

// otherEntries returns the entry points that are not event handlers:
// functions no one in the targets calls (main, exported API, goroutines
// started by dependencies) and function values handed to dependencies
// (wait.Until, time.AfterFunc, ...). Test code does not count. With
// Options.Closed, functions that are entries only because code that is not
// analysed might call them are left out; without it they are recorded in
// a.open, so that messages citing them can suggest -closed.
func (a *analysis) otherEntries() []*ssa.Function {
	var out []*ssa.Function
	a.open = make(map[*ssa.Function]bool)
	for fn := range a.prog.funcs {
		if a.inTestFile(fn.Pos()) {
			continue
		}
		_, isRoot := a.roots[fn]
		_, escaped := a.escaped[fn]
		if !escaped && (isRoot || a.hasCallers(fn) || unreachableWrapper(fn)) {
			continue
		}
		if !escaped && a.onlyOpenWorld(fn) {
			if a.closed {
				continue
			}
			a.open[fn] = true
		}
		out = append(out, fn)
	}
	a.sortFuncs(out)
	return out
}

// unreachableWrapper reports whether fn is a wrapper the SSA builder made
// for an unexported method (promoted through an embedded field, or of the
// pointer type): only its package can call it, so having no callers there
// means nothing calls it, and it is no entry point.
func unreachableWrapper(fn *ssa.Function) bool {
	return strings.HasPrefix(fn.Synthetic, "wrapper for ") && !token.IsExported(fn.Name())
}

// hasCallers reports whether fn is called from code that is not a test.
// An edge resolveOpenInvokes guessed does not count: the method may well
// be called by code that is not analysed instead, so it stays an entry.
func (a *analysis) hasCallers(fn *ssa.Function) bool {
	for _, e := range a.graph.Callers(fn) {
		if a.countsAsCaller(e) && !a.graph.Added(e) {
			return true
		}
	}
	return false
}

// countsAsCaller reports whether a call edge is a non-test path: tests
// call helpers directly all the time and that is no reason to keep a bug.
func (a *analysis) countsAsCaller(e *callgraph.Edge) bool {
	return !a.inTestFile(e.Caller.Func.Pos())
}

func (a *analysis) inTestFile(pos token.Pos) bool {
	return pos.IsValid() && strings.HasSuffix(a.fset.File(pos).Name(), "_test.go")
}

// instancesOf indexes the instantiated functions among funcs by origin,
// in a stable order.
func instancesOf(funcs map[*ssa.Function]bool) map[*ssa.Function][]*ssa.Function {
	out := make(map[*ssa.Function][]*ssa.Function)
	for fn := range funcs {
		if o := fn.Origin(); o != nil {
			out[o] = append(out[o], fn)
		}
	}
	for _, list := range out {
		sort.Slice(list, func(i, j int) bool { return list[i].String() < list[j].String() })
	}
	return out
}

// bodiesOf returns the functions the call graph may hold for the source
// function fn: fn itself, or its instantiations when it is generic.
func (a *analysis) bodiesOf(fn *ssa.Function) []*ssa.Function {
	if fn == nil {
		return nil
	}
	if inst := a.instances[fn]; len(inst) > 0 {
		return inst
	}
	return []*ssa.Function{fn}
}

// ssaFunc returns the SSA function that encloses path in pkg.
func (a *analysis) ssaFunc(pkg *packages.Package, path []ast.Node) *ssa.Function {
	sp := a.prog.ssa[pkg]
	if sp == nil {
		return nil
	}
	return ssa.EnclosingFunction(sp, path)
}
