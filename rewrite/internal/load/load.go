package load

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"
)

// loadMode asks for syntax and types of the target packages only;
// dependencies come from export data, which is what makes warm loads fast.
const loadMode = packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
	packages.NeedImports | packages.NeedTypes | packages.NeedTypesInfo |
	packages.NeedSyntax | packages.NeedTypesSizes | packages.NeedModule

// A Error is a package that could not be loaded or type-checked.
// Its files are never edited.
type Error struct {
	Package string   // import path, or the pattern when nothing loaded
	Errors  []string // the first errors, "file:line:col: msg"
}

func (e Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Package, strings.Join(e.Errors, "; "))
}

// A loadReq is what both loads are asked to load, and where.
type loadReq struct {
	opts     Options
	dir      string
	env      []string
	flags    []string
	patterns []string
	fset     *token.FileSet
}

// Load loads the packages matching patterns in opts.Dir the way
// opts.Mode asks, and splits the result into packages that type-checked
// and packages that did not.
func Load(opts Options, patterns []string) (good []*packages.Package, bad []Error, info Info, err error) {
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, nil, info, err
	}
	env := append(os.Environ(), opts.Env...)
	if err := checkModuleRoot(dir, env); err != nil {
		return nil, nil, info, err
	}
	fset := token.NewFileSet()
	pre := startPreparse(fset, dir, patterns, opts.Tests)
	defer pre.finish()
	req := loadReq{opts, dir, env, buildFlags(opts, dir, env), patterns, fset}
	if opts.Mode == Source {
		pkgs, info := req.source(pre.ParseFile, func() {})
		if pkgs != nil {
			return pkgs, nil, info, nil
		}
		good, bad, err = req.export(context.Background(), pre.ParseFile)
		return good, bad, info, err
	}
	stamp := req.newWarmStamp()
	switch {
	case opts.Mode == Export:
		good, bad, err = req.export(context.Background(), pre.ParseFile)
		info = Info{Mode: Export, Why: "-load=export"}
	case stamp.warm():
		good, bad, info, err = req.warm(stamp, pre.ParseFile)
	default:
		good, bad, info, err = req.auto(pre)
	}
	if err == nil && len(bad) == 0 && info.Mode == Export {
		stamp.keep()
	}
	return good, bad, info, err
}

// auto starts the export load at once and, meanwhile, lists the graph
// without compiling and asks the build cache about it. A warm cache
// keeps the export load, which has lost little to the listing; a cold
// one stops it before it compiles much and loads from source. The source
// load parses on its own: the preparser's files are the export load's.
func (req loadReq) auto(pre *preparser) (good []*packages.Package, bad []Error, info Info, err error) {
	ctx, cancel := context.WithCancel(context.Background())
	type result struct {
		good []*packages.Package
		bad  []Error
		err  error
	}
	exported := make(chan result, 1)
	go func() {
		g, b, err := req.export(ctx, pre.ParseFile)
		exported <- result{g, b, err}
	}()
	stopped := false
	defer func() {
		if stopped {
			<-exported // go list has been interrupted: wait until it has exited
		}
	}()
	defer cancel()
	pkgs, info := req.source(parseFile, func() {
		stopped = true
		cancel()
		pre.stop.Store(true)
	})
	if pkgs != nil {
		return pkgs, nil, info, nil
	}
	if stopped {
		good, bad, err = req.export(context.Background(), parseFile)
		return good, bad, info, err
	}
	r := <-exported
	return r.good, r.bad, info, r.err
}

// parseFile parses as go/packages does, without object resolution.
func parseFile(fset *token.FileSet, name string, src []byte) (*ast.File, error) {
	return parser.ParseFile(fset, name, src, parseMode)
}

// export runs go/packages with export data for the dependencies.
func (req loadReq) export(ctx context.Context, parse parseFunc) (good []*packages.Package, bad []Error, err error) {
	dir, patterns := req.dir, req.patterns
	cfg := &packages.Config{
		Context:    ctx,
		Mode:       loadMode,
		Dir:        dir,
		Env:        req.env,
		Tests:      req.opts.Tests,
		BuildFlags: req.flags,
		Fset:       req.fset,
		ParseFile:  parse,
	}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, nil, fmt.Errorf("load %s in %s: %s", strings.Join(patterns, " "), dir, goCommandError(err))
	}
	if len(pkgs) == 0 {
		return nil, nil, fmt.Errorf("no packages matched %s in %s", strings.Join(patterns, " "), dir)
	}
	good, bad = splitBroken(pkgs, dir)
	explainImports(cfg, bad)
	return good, bad, nil
}

// explainImports adds to each broken package the errors of the
// dependencies it could not import: go list reports a missing module on
// the dependency, which a load without NeedDeps never shows. The second
// load runs only when something failed, and type-checks nothing.
func explainImports(cfg *packages.Config, bad []Error) {
	var ids []string
	for _, e := range bad {
		if strings.Contains(strings.Join(e.Errors, "\n"), "could not import") {
			id, _, _ := strings.Cut(e.Package, " ")
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return
	}
	deps := *cfg
	deps.Mode = packages.NeedName | packages.NeedImports | packages.NeedDeps
	deps.Tests = false
	roots, err := packages.Load(&deps, ids...)
	if err != nil {
		return
	}
	for _, root := range roots {
		for i := range bad {
			if id, _, _ := strings.Cut(bad[i].Package, " "); id == root.ID {
				bad[i].Errors = append(bad[i].Errors, depErrors(root)...)
			}
		}
	}
}

// depErrors returns the errors of root's dependencies, each once.
func depErrors(root *packages.Package) []string {
	var out []string
	seen := make(map[string]bool)
	var imports []*packages.Package
	for _, p := range root.Imports {
		imports = append(imports, p)
	}
	sort.Slice(imports, func(i, j int) bool { return imports[i].ID < imports[j].ID })
	packages.Visit(imports, nil, func(p *packages.Package) {
		for _, err := range p.Errors {
			msg := fmt.Sprintf("import %s: %s", p.PkgPath, err.Msg)
			if !seen[msg] {
				seen[msg] = true
				out = append(out, msg)
			}
		}
	})
	return out
}

// goCommandError trims go/packages' wrapping of a failed go list down to
// what the go command said, with advice for a go.mod that is too new.
func goCommandError(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "stderr: "); i >= 0 {
		msg = msg[i+len("stderr: "):]
	}
	msg = strings.TrimSpace(msg)
	if strings.Contains(msg, "requires go >=") {
		msg += fmt.Sprintf(" (queuefix was built with %s and type-checks with it: install queuefix with a Go at least as new as the module's go line)", runtime.Version())
	}
	return msg
}

// buildFlags adds -tags and, for vendored modules whose go.mod predates
// Go 1.14 (where the go command does not pick vendor/ by itself), -mod=vendor.
func buildFlags(opts Options, dir string, env []string) []string {
	var flags []string
	if len(opts.Tags) > 0 {
		flags = append(flags, "-tags="+strings.Join(opts.Tags, ","))
	}
	if needsModVendor(dir, env) {
		flags = append(flags, "-mod=vendor")
	}
	return flags
}

// needsModVendor reports whether the module holding dir has a vendor
// directory that the go command would not use on its own.
func needsModVendor(dir string, env []string) bool {
	if envValue(env, "GO111MODULE") == "off" || strings.Contains(envValue(env, "GOFLAGS"), "-mod=") {
		return false
	}
	root := findUp(dir, "go.mod")
	if root == "" {
		return false
	}
	if _, err := os.Stat(filepath.Join(root, "vendor", "modules.txt")); err != nil {
		return false
	}
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return false
	}
	return goLineBefore114(string(data))
}

// goLineBefore114 reports whether a go.mod's go directive is missing or
// names a version before 1.14.
func goLineBefore114(gomod string) bool {
	for _, line := range strings.Split(gomod, "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == "go" {
			var major, minor int
			fmt.Sscanf(f[1], "%d.%d", &major, &minor)
			return major == 1 && minor < 14
		}
	}
	return true
}

// checkModuleRoot turns the go command's terse "go.mod file not found"
// into advice for GOPATH trees.
func checkModuleRoot(dir string, env []string) error {
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("load %s: %w", dir, err)
	}
	if envValue(env, "GO111MODULE") == "off" || envValue(env, "GOWORK") != "" && envValue(env, "GOWORK") != "off" {
		return nil
	}
	if findUp(dir, "go.mod") != "" || findUp(dir, "go.work") != "" {
		return nil
	}
	return fmt.Errorf("no go.mod found in %s or any parent directory; "+
		"for a GOPATH tree without go.mod, run with GO111MODULE=off", dir)
}

// findUp returns the first directory at or above dir that holds name.
func findUp(dir, name string) string {
	for {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// envValue returns the last setting of key in env, as exec does.
func envValue(env []string, key string) string {
	v := ""
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == key {
			v = val
		}
	}
	return v
}

// splitBroken separates packages with errors of their own from the rest.
func splitBroken(pkgs []*packages.Package, dir string) (good []*packages.Package, bad []Error) {
	for _, p := range pkgs {
		if len(p.Errors) == 0 && !p.IllTyped && p.Types != nil {
			good = append(good, p)
			continue
		}
		bad = append(bad, loadError(p, dir))
	}
	sort.Slice(bad, func(i, j int) bool { return bad[i].Package < bad[j].Package })
	return good, bad
}

const maxErrors = 3

func loadError(p *packages.Package, dir string) Error {
	e := Error{Package: p.ID}
	for _, err := range p.Errors {
		if len(e.Errors) == maxErrors {
			e.Errors = append(e.Errors, fmt.Sprintf("and %d more", len(p.Errors)-maxErrors))
			break
		}
		e.Errors = append(e.Errors, absPaths(err.Error(), dir))
	}
	if len(e.Errors) == 0 {
		e.Errors = []string{"dependency failed to type-check"}
	}
	return e
}

// absPaths makes the "./file.go:..." lines of a go command error absolute,
// so that they print relative to the user's directory like the rest.
func absPaths(msg, dir string) string {
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		if rest, ok := strings.CutPrefix(l, "./"); ok {
			lines[i] = filepath.Join(dir, rest)
		}
	}
	return strings.Join(lines, "\n")
}
