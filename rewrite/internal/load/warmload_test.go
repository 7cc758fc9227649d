package load

import (
	"fmt"
	"go/ast"
	"go/types"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/go/packages"
)

// listingModule is a module whose external test imports a package that
// imports the package under test, so that go list lists the variant
// "m/b [m/a.test]", which go/packages checks from source, not from its
// export data; and whose packages read std from export data.
var listingModule = map[string]string{
	"go.mod":      "module m\n\ngo 1.22\n",
	"a/a.go":      "package a\n\nimport \"strings\"\n\n// T is a.\ntype T struct{ S []string }\n\nfunc (t T) Join() string { return strings.Join(t.S, \",\") }\n",
	"a/a_test.go": "package a\n\nimport \"testing\"\n\nfunc TestJoin(t *testing.T) { _ = T{}.Join() }\n",
	"a/x_test.go": "package a_test\n\nimport (\n\t\"testing\"\n\n\t\"m/b\"\n)\n\nfunc TestB(t *testing.T) { _ = b.New().Join() }\n",
	"b/b.go":      "package b\n\nimport (\n\t\"fmt\"\n\t\"sync\"\n\n\t\"m/a\"\n)\n\nvar mu sync.Mutex\n\nfunc New() a.T { mu.Lock(); defer mu.Unlock(); return a.T{S: []string{fmt.Sprint(1)}} }\n",
	"c/c.go":      "package c\n\nimport \"m/b\"\n\nfunc C() string { return b.New().Join() }\n",
}

func writeModule(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// loadTwice loads dir with -load=export, which leaves the warm stamp,
// then as a warm run, which lists and saves the listing, and returns
// the warm run's Info.
func loadTwice(t *testing.T, dir string, env []string) Info {
	t.Helper()
	if _, bad, _, err := Load(Options{Dir: dir, Tests: true, Env: env, Mode: Export}, []string{"./..."}); err != nil || len(bad) > 0 {
		t.Fatalf("export load: %v %v", err, bad)
	}
	return warmLoad(t, dir, env)
}

func warmLoad(t *testing.T, dir string, env []string) Info {
	t.Helper()
	_, bad, info, err := Load(Options{Dir: dir, Tests: true, Env: env}, []string{"./..."})
	if err != nil || len(bad) > 0 {
		t.Fatalf("warm load: %v %v", err, bad)
	}
	return info
}

// TestSavedListingMatchesPackages loads a module with go/packages and
// from its saved listing and compares what the engine reads of each
// target package.
func TestSavedListingMatchesPackages(t *testing.T) {
	dir := t.TempDir()
	writeModule(t, dir, listingModule)
	env := []string{"QUEUEFIX_CACHE=" + t.TempDir()}
	if info := loadTwice(t, dir, env); !strings.Contains(info.Why, "the listing is kept") {
		t.Fatalf("second load: %q, want the listing kept", info.Why)
	}
	want, _, _, err := Load(Options{Dir: dir, Tests: true, Env: env, Mode: Export}, []string{"./..."})
	if err != nil {
		t.Fatal(err)
	}
	got, bad, info, err := Load(Options{Dir: dir, Tests: true, Env: env}, []string{"./..."})
	if err != nil || len(bad) > 0 {
		t.Fatalf("load: %v %v", err, bad)
	}
	if info.Why != savedWhy {
		t.Fatalf("third load: %q, want %q", info.Why, savedWhy)
	}
	if g, w := describe(got), describe(want); g != w {
		t.Errorf("from the saved listing:\n%s\nfrom go/packages:\n%s", g, w)
	}
}

// describe prints what the engine reads of packages: IDs, names, files,
// module, imports, sizes, every object's type and every expression's,
// and which packages share a file's syntax.
func describe(pkgs []*packages.Package) string {
	var b strings.Builder
	owner := make(map[*ast.File][]string)
	for _, p := range pkgs {
		fmt.Fprintf(&b, "%s name=%s path=%s errors=%d illtyped=%v\n", p.ID, p.Name, p.PkgPath, len(p.Errors), p.IllTyped)
		fmt.Fprintf(&b, "  go=%v\n  compiled=%v\n", base(p.GoFiles), base(p.CompiledGoFiles))
		fmt.Fprintf(&b, "  module=%+v sizes=%v fset=%v\n", p.Module, p.TypesSizes, p.Fset != nil)
		var imps []string
		for path, q := range p.Imports {
			imps = append(imps, fmt.Sprintf("%s=%s(%s %s complete=%v syntax=%d info=%v)", path, q.ID, q.PkgPath, q.Name,
				q.Types != nil && q.Types.Complete(), len(q.Syntax), q.TypesInfo != nil))
		}
		sort.Strings(imps)
		fmt.Fprintf(&b, "  imports=%v\n", imps)
		fmt.Fprintf(&b, "  types=%s complete=%v imports=%v\n", p.Types.Path(), p.Types.Complete(), typesImports(p.Types))
		for _, name := range p.Types.Scope().Names() {
			fmt.Fprintf(&b, "  %s\n", p.Types.Scope().Lookup(name))
		}
		for _, f := range p.Syntax {
			owner[f] = append(owner[f], p.ID)
		}
		b.WriteString(describeInfo(p, owners(pkgs)))
	}
	var shared []string
	for f, ids := range owner {
		shared = append(shared, fmt.Sprintf("%s: %v", filepath.Base(pkgs[0].Fset.File(f.FileStart).Name()), ids))
	}
	sort.Strings(shared)
	fmt.Fprintf(&b, "syntax: %v\n", shared)
	return b.String()
}

// owners maps the types of the targets and of their imports to their IDs.
func owners(pkgs []*packages.Package) map[*types.Package]string {
	m := make(map[*types.Package]string)
	for _, p := range pkgs {
		m[p.Types] = p.ID
		for _, q := range p.Imports {
			if _, ok := m[q.Types]; !ok {
				m[q.Types] = q.ID
			}
		}
	}
	return m
}

// describeInfo prints the types info of p; a use names the loaded
// package its object belongs to, so that a target reading a copy of
// another's types shows.
func describeInfo(p *packages.Package, owner map[*types.Package]string) string {
	var lines []string
	pos := func(n ast.Node) string { return p.Fset.Position(n.Pos()).String() }
	for id, obj := range p.TypesInfo.Defs {
		if obj != nil {
			lines = append(lines, fmt.Sprintf("def %s %s %s", pos(id), id.Name, obj))
		}
	}
	for id, obj := range p.TypesInfo.Uses {
		lines = append(lines, fmt.Sprintf("use %s %s %s pkg=%v of=%q", pos(id), id.Name, obj, objPkg(obj), owner[obj.Pkg()]))
	}
	for e, tv := range p.TypesInfo.Types {
		lines = append(lines, fmt.Sprintf("type %s %T %s", pos(e), e, tv.Type))
	}
	lines = append(lines, fmt.Sprintf("selections=%d scopes=%d implicits=%d versions=%d",
		len(p.TypesInfo.Selections), len(p.TypesInfo.Scopes), len(p.TypesInfo.Implicits), len(p.TypesInfo.FileVersions)))
	sort.Strings(lines)
	return "  " + strings.Join(lines, "\n  ") + "\n"
}

func objPkg(obj types.Object) string {
	if obj.Pkg() == nil {
		return ""
	}
	return obj.Pkg().Path()
}

func typesImports(p *types.Package) []string {
	var out []string
	for _, imp := range p.Imports() {
		out = append(out, imp.Path())
	}
	sort.Strings(out)
	return out
}

func base(files []string) []string {
	var out []string
	for _, f := range files {
		out = append(out, filepath.Base(f))
	}
	return out
}

// TestSavedListingNotReused checks that a change the listing depends on
// makes the next warm run list again instead of reading the saved
// listing, and that the run after that reads the new one.
func TestSavedListingNotReused(t *testing.T) {
	for name, change := range map[string]func(t *testing.T, dir string, l *listing){
		"a Go file changes": func(t *testing.T, dir string, _ *listing) {
			writeModule(t, dir, map[string]string{"b/b.go": listingModule["b/b.go"] + "\nfunc Other() {}\n"})
		},
		"a file is added": func(t *testing.T, dir string, _ *listing) {
			writeModule(t, dir, map[string]string{"c/c2.go": "package c\n"})
		},
		"go.mod changes": func(t *testing.T, dir string, _ *listing) {
			writeModule(t, dir, map[string]string{"go.mod": "module m\n\ngo 1.23\n"})
		},
		"an export file is deleted": func(t *testing.T, dir string, l *listing) {
			for _, p := range l.pkgs {
				if p.ImportPath == "m/c" { // the module's own: the shared build cache loses nothing else
					if err := os.Remove(p.exportFile()); err != nil {
						t.Fatal(err)
					}
					return
				}
			}
			t.Fatal("m/c not in the listing")
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeModule(t, dir, listingModule)
			cache := t.TempDir()
			env := []string{"QUEUEFIX_CACHE=" + cache}
			loadTwice(t, dir, env)
			if info := warmLoad(t, dir, env); info.Why != savedWhy {
				t.Fatalf("nothing changed: %q, want %q", info.Why, savedWhy)
			}
			change(t, dir, savedListings(t, cache))
			listedAgain(t, dir, env)
		})
	}
}

// listedAgain checks that the warm runs after a change do not read the
// saved listing until one of them has listed again and kept its listing,
// and that the run after that reads it. The first run after a change to
// the module's files finds the stamp cold; its export load makes it warm
// again, for the files the old listing was not made of.
func listedAgain(t *testing.T, dir string, env []string) {
	t.Helper()
	for i := 0; ; i++ {
		info := warmLoad(t, dir, env)
		if info.Why == savedWhy {
			t.Fatalf("run %d after the change read the saved listing", i+1)
		}
		if strings.Contains(info.Why, "the listing is kept") {
			break
		}
		if i == 2 {
			t.Fatalf("3 runs after the change, none listed again: %q", info.Why)
		}
	}
	if info := warmLoad(t, dir, env); info.Why != savedWhy {
		t.Errorf("the run after listing again: %q, want %q", info.Why, savedWhy)
	}
}

// savedListings decodes the one listing saved in cache.
func savedListings(t *testing.T, cache string) *listing {
	t.Helper()
	names, _ := filepath.Glob(filepath.Join(cache, "warm", "*.list"))
	if len(names) != 1 {
		t.Fatalf("saved listings: %v, want one", names)
	}
	data, err := os.ReadFile(names[0])
	if err != nil {
		t.Fatal(err)
	}
	_, out, _ := strings.Cut(string(data), "\n")
	l, err := decodeListing([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestSavedListingReplaceOutside checks that a module with a replace to
// a directory beside it, whose files the stamp does not fingerprint,
// never saves its listing, and that a stale saved one is not read.
func TestSavedListingReplaceOutside(t *testing.T) {
	top := t.TempDir()
	dir, dep := filepath.Join(top, "m"), filepath.Join(top, "dep")
	writeModule(t, dep, map[string]string{"go.mod": "module example.com/dep\n\ngo 1.22\n", "dep.go": "package dep\n\nconst N = 1\n"})
	files := map[string]string{
		"go.mod": "module m\n\ngo 1.22\n\nrequire example.com/dep v0.0.0\n\nreplace example.com/dep => ../dep\n",
		"a/a.go": "package a\n\nimport \"example.com/dep\"\n\nconst M = dep.N\n",
	}
	writeModule(t, dir, files)
	cache := t.TempDir()
	env := []string{"QUEUEFIX_CACHE=" + cache}
	info := loadTwice(t, dir, env)
	if !strings.Contains(info.Why, "the listing is not kept") || !strings.Contains(info.Why, dep) {
		t.Errorf("warm load: %q, want the listing not kept because of %s", info.Why, dep)
	}
	if names, _ := filepath.Glob(filepath.Join(cache, "warm", "*.list")); len(names) > 0 {
		t.Fatalf("saved %v for a module with a replace outside it", names)
	}
	if info := warmLoad(t, dir, env); info.Why == savedWhy {
		t.Errorf("read a saved listing: %q", info.Why)
	}

	// A listing saved by hand, as if the check had not been there.
	stamp := loadReq{dir: dir, env: append(os.Environ(), env...), opts: Options{Tests: true}, patterns: []string{"./..."}}
	stamp.flags = buildFlags(stamp.opts, dir, stamp.env)
	w := stamp.newWarmStamp()
	l, out, err := stamp.exportList()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(w.listingPath(), append([]byte(w.files+"\n"), out...), 0o644); err != nil {
		t.Fatal(err)
	}
	if why := w.outside(l); why == "" {
		t.Fatal("outside found no package outside the module")
	}
	if info := warmLoad(t, dir, env); info.Why == savedWhy {
		t.Errorf("read a saved listing of a module with a replace outside it: %q", info.Why)
	}
}

// TestSavedListingExpires checks that a listing older than a stamp may
// be is not read.
func TestSavedListingExpires(t *testing.T) {
	dir := t.TempDir()
	writeModule(t, dir, listingModule)
	cache := t.TempDir()
	env := []string{"QUEUEFIX_CACHE=" + cache}
	loadTwice(t, dir, env)
	names, _ := filepath.Glob(filepath.Join(cache, "warm", "*.list"))
	if len(names) != 1 {
		t.Fatalf("saved listings: %v, want one", names)
	}
	old := time.Now().Add(-warmFor - time.Minute)
	if err := os.Chtimes(names[0], old, old); err != nil {
		t.Fatal(err)
	}
	if info := warmLoad(t, dir, env); info.Why == savedWhy {
		t.Errorf("read a listing older than %s", warmFor)
	}
}

// TestExpLoadFallsBack checks that what an expLoad does not load as
// go/packages would makes go/packages load: a type error in a target
// behind a stamp and listing that say nothing changed.
func TestExpLoadFallsBack(t *testing.T) {
	dir := t.TempDir()
	writeModule(t, dir, listingModule)
	cache := t.TempDir()
	env := []string{"QUEUEFIX_CACHE=" + cache}
	loadTwice(t, dir, env)
	// The same size and time: the fingerprint cannot see it.
	path := filepath.Join(dir, "c", "c.go")
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(listingModule["c/c.go"], "return b.New().Join()", "return b.New().Jion()", 1)
	if err := os.WriteFile(path, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, info.ModTime(), info.ModTime()); err != nil {
		t.Fatal(err)
	}
	good, bad, got, err := Load(Options{Dir: dir, Tests: true, Env: env}, []string{"./..."})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Why, "go/packages loaded: the saved listing: ") || !strings.Contains(got.Why, "Jion") {
		t.Errorf("Info.Why = %q, want go/packages to have loaded after the saved listing's type error", got.Why)
	}
	if len(bad) != 1 || bad[0].Package != "m/c" || len(good) != 5 {
		t.Errorf("got %d good packages and errors %v, want 5 and m/c's type error", len(good), bad)
	}
}
