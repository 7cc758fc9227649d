package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/ssa"

	"github.com/queuefix/queuefix/rewrite/internal/match"
)

// index is what the load established, as the rules and the graph builder
// read it: the packages, each source file once with its directives, and
// the copies of the client-go APIs they see. It is complete when newIndex
// returns and never written after, so any number of goroutines may read
// it; only a file's bytes are read on first use, once (fileInfo.source).
type index struct {
	pkgs  []*packages.Package
	fset  *token.FileSet
	files map[string]*fileInfo        // by absolute file name
	apis  map[string][]*types.Package // client-go packages by path, one per copy
	since time.Time                   // when loading started
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
	readErr *Cause // the file could not be read again, or changed
}

// source returns the file's bytes, read once, when a rule first needs
// them; err says why there are none.
func (fi *fileInfo) source() []byte {
	fi.read()
	return fi.src
}

func (fi *fileInfo) err() *Cause {
	fi.read()
	return fi.readErr
}

// read reads the file and checks that it still holds what was parsed.
func (fi *fileInfo) read() {
	fi.once.Do(func() {
		changed := &Cause{Pos: token.Position{Filename: fi.name}, Text: "changed while queuefix was running; run queuefix again"}
		info, err := os.Stat(fi.name)
		switch {
		case err != nil:
			fi.readErr = readCause(fi.name, err)
		case info.ModTime().After(fi.since):
			fi.readErr = changed
		default:
			fi.src, err = os.ReadFile(fi.name)
			if err != nil {
				fi.readErr = readCause(fi.name, err)
			} else if len(fi.src) != fi.size {
				fi.readErr = changed
			}
		}
		if fi.readErr != nil {
			fi.src = nil
		}
	})
}

// newIndex indexes the packages' files and the client-go APIs they see.
func newIndex(pkgs []*packages.Package, since time.Time) *index {
	a := &index{pkgs: pkgs, fset: pkgs[0].Fset, since: since}
	a.indexFiles()
	a.indexAPIs()
	return a
}

// indexFiles records each Go file once, with its directives.
func (a *index) indexFiles() {
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

func (a *index) newFileInfo(pkg *packages.Package, f *ast.File, name string) *fileInfo {
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
func (a *index) indexAPIs() {
	a.apis = make(map[string][]*types.Package)
	seen := make(map[*types.Package]bool)
	var visit func(p *types.Package)
	visit = func(p *types.Package) {
		if seen[p] {
			return
		}
		seen[p] = true
		for _, path := range []string{match.WorkqueuePath, match.CachePath} {
			if match.IsPkg(p, path) {
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
func (a *index) apiPkgs(path string) []*types.Package { return a.apis[path] }

// comparePos compares positions by file name, then offset (not by Pos:
// files enter the FileSet in load order).
func (a *index) comparePos(p, q token.Pos) int {
	pp, pq := a.fset.Position(p), a.fset.Position(q)
	if c := strings.Compare(pp.Filename, pq.Filename); c != 0 {
		return c
	}
	return pp.Offset - pq.Offset
}

func (a *index) sortFuncs(fns []*ssa.Function) {
	sort.Slice(fns, func(i, j int) bool {
		if c := a.comparePos(fns[i].Pos(), fns[j].Pos()); c != 0 {
			return c < 0
		}
		return fns[i].String() < fns[j].String()
	})
}

func (a *index) inTestFile(pos token.Pos) bool {
	return pos.IsValid() && strings.HasSuffix(a.fset.File(pos).Name(), "_test.go")
}

// fileOf returns the indexed file holding pos.
func (a *index) fileOf(pos token.Pos) *fileInfo {
	tf := a.fset.File(pos)
	if tf == nil {
		return nil
	}
	return a.files[tf.Name()]
}

// sortedFiles returns the names of the indexed files in order.
func (a *index) sortedFiles() []string {
	names := make([]string, 0, len(a.files))
	for name := range a.files {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
