package load

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
)

// parseMode is go/packages' own mode without object resolution, which
// nothing downstream reads (go/types resolves names itself).
const parseMode = parser.AllErrors | parser.ParseComments | parser.SkipObjectResolution

// A preparser parses the module's Go files while go list runs.
//
// go/packages parses a package only once its imports are type-checked, so
// on a deep import graph parsing sits on the critical path, and nothing
// happens in this process while go list works. The preparser walks the
// directories the patterns name and parses their files in the background
// (one CPU is left to go list); go/packages then finds most files parsed.
// An AST is used only if the bytes go/packages read are the bytes it was
// parsed from; anything else is parsed as usual.
type preparser struct {
	fset  *token.FileSet
	files map[string]*preparsed
	stop  atomic.Bool
	wg    sync.WaitGroup
}

type preparsed struct {
	once sync.Once
	src  []byte
	f    *ast.File
	err  error
}

// startPreparse lists the .go files below the patterns that are directory
// trees (./..., ./x/..., .) and starts parsing them into fset.
func startPreparse(fset *token.FileSet, dir string, patterns []string, tests bool) *preparser {
	p := &preparser{fset: fset, files: make(map[string]*preparsed)}
	var names []string
	for _, pat := range patterns {
		names = append(names, patternFiles(dir, pat, tests)...)
	}
	for _, name := range names {
		p.files[name] = new(preparsed)
	}
	workers := max(1, runtime.GOMAXPROCS(0)-1)
	next := atomic.Int64{}
	for range workers {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for !p.stop.Load() {
				i := int(next.Add(1)) - 1
				if i >= len(names) {
					return
				}
				p.get(names[i])
			}
		}()
	}
	return p
}

// get parses the named file, once, and returns its entry.
func (p *preparser) get(name string) *preparsed {
	e := p.files[name]
	e.once.Do(func() {
		e.src, e.err = os.ReadFile(name)
		if e.err == nil {
			e.f, e.err = parser.ParseFile(p.fset, name, e.src, parseMode)
		}
	})
	return e
}

// ParseFile is go/packages' Config.ParseFile: the preparsed AST when src
// is what it was parsed from, a fresh parse otherwise.
func (p *preparser) ParseFile(fset *token.FileSet, name string, src []byte) (*ast.File, error) {
	if _, ok := p.files[name]; ok && fset == p.fset {
		e := p.get(name)
		if e.src != nil && bytes.Equal(e.src, src) {
			e.src = nil // go/packages asks once per file
			return e.f, e.err
		}
	}
	return parser.ParseFile(fset, name, src, parseMode)
}

// finish stops the workers and drops what go/packages did not ask for.
func (p *preparser) finish() {
	p.stop.Store(true)
	p.wg.Wait()
	p.files = nil
}

// patternFiles returns the Go files of the directories a pattern names,
// as go list would walk them: a tree pattern skips vendor, testdata,
// directories starting with . or _, and nested modules. Import-path
// patterns name no directory here and yield nothing.
func patternFiles(dir, pattern string, tests bool) []string {
	if pattern != "." && !strings.HasPrefix(pattern, "./") {
		return nil // an import path (or "..."), not a directory
	}
	tree := strings.HasSuffix(pattern, "/...")
	root := strings.TrimSuffix(pattern, "/...")
	if strings.Contains(root, "...") {
		return nil // a wildcard inside the path
	}
	root = filepath.Join(dir, root)
	var out []string
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if path == root {
				return nil
			}
			name := d.Name()
			if !tree || name == "vendor" || name == "testdata" || name[0] == '.' || name[0] == '_' || exists(filepath.Join(path, "go.mod")) {
				return filepath.SkipDir
			}
			return nil
		}
		if isGoFile(d.Name(), tests) && d.Type().IsRegular() {
			out = append(out, path)
		}
		return nil
	})
	return out
}

func isGoFile(name string, tests bool) bool {
	return strings.HasSuffix(name, ".go") && name[0] != '.' && name[0] != '_' &&
		(tests || !strings.HasSuffix(name, "_test.go"))
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
