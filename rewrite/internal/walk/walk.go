// Package walk follows a work-queue worker's paths from Get to the end of
// the item's processing, for the forget and done rules: where each path
// requeues, forgets, finishes (Done) or lets go of the item, which call
// handed it the item, and the points where a statement may be inserted.
//
// A Scan is built once from the files of a run (NewScan) and only read
// after: the workers, the queues that receive AddRateLimited and the
// indexes the summaries of helpers consult. Each rule walks with a Walker
// of its own (Scan.Walker), which remembers the summaries it computed and
// so belongs to one goroutine; any number of Walkers may share a Scan.
//
// The walk knows the engine's index only through File: a file's package,
// syntax, name and bytes.
package walk

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"sync"

	"golang.org/x/tools/go/packages"

	"github.com/queuefix/queuefix/rewrite/internal/source"
)

// A File is one source file of the run, as the walk reads it.
type File struct {
	Pkg    *packages.Package
	Syntax *ast.File
	Name   string // absolute
	// Source returns the file's bytes, or nil when they cannot be read or
	// no longer hold what was parsed (the walk then skips the file's
	// workers: nothing could be inserted there).
	Source func() []byte
}

// A Scan is what one pass over every file finds for the forget and done
// walks. It is not written after NewScan returns, except that the indexes
// of func values and methods, and each package's place positions, are
// each built once, on first use.
type Scan struct {
	fset    *token.FileSet
	files   map[string]*File
	names   []string // of files, sorted
	workers []*Worker
	limited *limitedQueues

	impls func() map[string][]*types.Func // methods of the analysed types by name
	funcs func() *funcIndex               // func values' stores (funcvalues.go)
	byPkg map[*types.Package][]*File      // files by package, in name order
	// places holds, by package, the positions of the identifiers that
	// denote its variables that may be places (stores.go), each map
	// built once, on first use, and read by every walker.
	places map[*types.Package]func() map[*types.Var][]token.Pos
}

// NewScan scans files for workers and for the queues that receive
// AddRateLimited.
func NewScan(fset *token.FileSet, files []*File) *Scan {
	s := &Scan{fset: fset, files: make(map[string]*File, len(files))}
	for _, fi := range files {
		s.files[fi.Name] = fi
		s.names = append(s.names, fi.Name)
	}
	sort.Strings(s.names)
	s.impls = sync.OnceValue(s.methodsByName)
	s.funcs = sync.OnceValue(s.funcIndex)
	s.byPkg = make(map[*types.Package][]*File)
	for _, name := range s.names {
		fi := s.files[name]
		s.byPkg[fi.Pkg.Types] = append(s.byPkg[fi.Pkg.Types], fi)
	}
	s.places = make(map[*types.Package]func() map[*types.Var][]token.Pos, len(s.byPkg))
	for pkg, files := range s.byPkg {
		s.places[pkg] = sync.OnceValue(func() map[*types.Var][]token.Pos { return placePositions(files[0].Pkg.TypesInfo) })
	}
	s.limited = s.rateLimitedQueues()
	s.workers = s.findWorkers()
	return s
}

// Workers returns the workers of every file, each once, in file order.
func (s *Scan) Workers() []*Worker { return s.workers }

// RateLimited reports whether AddRateLimited may be called on the
// worker's queue: only the items of such queues sit in a rate limiter.
func (s *Scan) RateLimited(w *Worker) bool { return s.limited.reaches(w) }

// A Mode is what a walk follows path by path.
type Mode uint8

const (
	Forget Mode = iota // requeues and Forget of the item
	Done               // Done of the item, deferred ones included
)

// blocks reports whether summed-up code does what the walk must follow
// path by path: for the forget walk a requeue or Forget, for the done
// walk a Done.
func (m Mode) blocks(eff effect) bool {
	if m == Done {
		return eff.dones
	}
	return eff.touches()
}

// hidden says what blocks found, for the message.
func (m Mode) hidden() string {
	if m == Done {
		return "Done of the item is called"
	}
	return "the item is requeued or forgotten"
}

// A Walker walks workers for one rule. It keeps the summaries of the
// functions it met across workers, so one goroutine uses it.
type Walker struct {
	mode Mode
	sc   *scanner
}

// Walker returns a walker in the given mode over the scan.
func (s *Scan) Walker(mode Mode) *Walker {
	return &Walker{mode: mode, sc: newScanner(s)}
}

// Paths returns the worker's paths from its Get to their ends, or why
// they cannot be followed (the message says what was met, and where).
// In the done mode a Done the worker's function defers counts on every
// path: the function returns (or panics), and its defers run.
func (wl *Walker) Paths(w *Worker) ([]*Path, error) {
	wk := &walker{s: wl.sc.s, w: w, sc: wl.sc, uses: wl.sc.s.limited.uses, mode: wl.mode}
	paths, err := wk.walk()
	if err != nil || wl.mode != Done {
		return paths, err
	}
	for _, p := range paths {
		p.Dones += len(p.deferred) // the worker's function returns (or panics): its defers run
		p.deferred = nil
	}
	return paths, nil
}

// fileOf returns the scanned file holding pos.
func (s *Scan) fileOf(pos token.Pos) *File {
	tf := s.fset.File(pos)
	if tf == nil {
		return nil
	}
	return s.files[tf.Name()]
}

// filesOf returns the scanned files of pkg, in name order.
func (s *Scan) filesOf(pkg *types.Package) []*File { return s.byPkg[pkg] }

// sortedFiles returns the names of the scanned files in order.
func (s *Scan) sortedFiles() []string { return s.names }

// line returns "line N" for pos.
func (s *Scan) line(pos token.Pos) string {
	return fmt.Sprintf("line %d", s.fset.Position(pos).Line)
}

// text returns e's source text.
func (s *Scan) text(e ast.Node) string {
	return exprString(s.fileOf(e.Pos()), e)
}

// exprString returns the source text of e.
func exprString(fi *File, e ast.Node) string {
	if fi == nil || fi.Source() == nil {
		return ""
	}
	return source.Text(fi.Pkg.Fset.File(e.Pos()), fi.Source(), e)
}
