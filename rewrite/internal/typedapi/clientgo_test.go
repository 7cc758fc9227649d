package typedapi

import (
	"go/ast"
	"go/types"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/semver"
	"golang.org/x/tools/go/packages"
)

// release is the work-queue package of one real client-go version,
// type-checked from source (its dependencies from export data).
type release struct {
	version string
	pkg     *packages.Package
	docs    map[string]*ast.CommentGroup // exported declarations by name; methods as Recv.Name
}

func (r *release) lookup(name string) types.Object { return r.pkg.Types.Scope().Lookup(name) }

func (r *release) atLeast(version string) bool { return semver.Compare(r.version, version) >= 0 }

// loadReleases loads util/workqueue from every module under testdata, one
// load per client-go version, oldest first.
func loadReleases(t *testing.T) []*release {
	t.Helper()
	mods, err := filepath.Glob("testdata/clientgo-*/go.mod")
	if err != nil || len(mods) == 0 {
		t.Fatalf("no client-go modules under testdata: %v", err)
	}
	var rels []*release
	for _, mod := range mods {
		rels = append(rels, loadRelease(t, filepath.Dir(mod)))
	}
	sort.Slice(rels, func(i, j int) bool { return semver.Compare(rels[i].version, rels[j].version) < 0 })
	return rels
}

func loadRelease(t *testing.T, dir string) *release {
	t.Helper()
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedTypes | packages.NeedSyntax | packages.NeedModule,
		Dir:  dir,
	}
	pkgs, err := packages.Load(cfg, Path)
	if err != nil {
		t.Fatalf("load %s in %s: %v", Path, dir, err)
	}
	if len(pkgs) != 1 || len(pkgs[0].Errors) > 0 || pkgs[0].Module == nil {
		t.Fatalf("load %s in %s: got %d packages, errors %v", Path, dir, len(pkgs), pkgErrors(pkgs))
	}
	p := pkgs[0]
	return &release{version: p.Module.Version, pkg: p, docs: exportedDocs(p.Syntax)}
}

func pkgErrors(pkgs []*packages.Package) []packages.Error {
	var errs []packages.Error
	for _, p := range pkgs {
		errs = append(errs, p.Errors...)
	}
	return errs
}

// exportedDocs returns the doc comment of every exported declaration.
func exportedDocs(files []*ast.File) map[string]*ast.CommentGroup {
	docs := make(map[string]*ast.CommentGroup)
	for _, f := range files {
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if name := funcName(d); ast.IsExported(d.Name.Name) {
					docs[name] = d.Doc
				}
			case *ast.GenDecl:
				genDocs(d, docs)
			}
		}
	}
	return docs
}

// funcName returns "Name" for a function and "Recv.Name" for a method.
func funcName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return d.Name.Name
	}
	t := d.Recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	switch x := t.(type) {
	case *ast.IndexExpr:
		t = x.X
	case *ast.IndexListExpr:
		t = x.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name + "." + d.Name.Name
	}
	return d.Name.Name
}

// genDocs adds the exported types, constants and variables of d; a spec
// without its own comment takes the declaration's (gofmt's and go/doc's
// reading of an unparenthesised declaration).
func genDocs(d *ast.GenDecl, docs map[string]*ast.CommentGroup) {
	for _, spec := range d.Specs {
		switch s := spec.(type) {
		case *ast.TypeSpec:
			if s.Name.IsExported() {
				docs[s.Name.Name] = specDoc(s.Doc, d)
			}
		case *ast.ValueSpec:
			for _, n := range s.Names {
				if n.IsExported() {
					docs[n.Name] = specDoc(s.Doc, d)
				}
			}
		}
	}
}

func specDoc(doc *ast.CommentGroup, d *ast.GenDecl) *ast.CommentGroup {
	if doc == nil && !d.Lparen.IsValid() {
		return d.Doc
	}
	return doc
}

// isDeprecated reports whether doc says "Deprecated:" anywhere.
func isDeprecated(doc *ast.CommentGroup) bool {
	return doc != nil && strings.Contains(doc.Text(), "Deprecated:")
}

// isHidden reports whether no paragraph of doc starts with "Deprecated: ",
// the rule staticcheck's SA1019 applies (analysis/facts/deprecated).
func isHidden(doc *ast.CommentGroup) bool {
	for _, part := range strings.Split(doc.Text(), "\n\n") {
		if strings.HasPrefix(part, "Deprecated: ") {
			return false
		}
	}
	return true
}

// TestClientGo holds the table to the real work-queue package of every
// client-go version under testdata.
func TestClientGo(t *testing.T) {
	if testing.Short() {
		t.Skip("loads real client-go versions; skipped with -short")
	}
	rels := loadReleases(t)
	t.Run("complete", func(t *testing.T) { testComplete(t, rels) })
	t.Run("gates", func(t *testing.T) { testGates(t, rels) })
	t.Run("later", func(t *testing.T) { testLater(t, rels) })
	t.Run("supported", func(t *testing.T) { testSupported(t, rels) })
	t.Run("markdown", func(t *testing.T) { testMarkdown(t, rels[len(rels)-1]) })
	for i := range Table {
		e := &Table[i]
		t.Run(e.Name, func(t *testing.T) {
			for _, r := range rels {
				if r.atLeast(e.Since()) {
					testEntry(t, e, r)
				}
			}
		})
	}
}

// testComplete checks that every name deprecated in any release is in
// the table, so a new deprecation in client-go fails here.
func testComplete(t *testing.T, rels []*release) {
	for _, r := range rels {
		for name, doc := range r.docs {
			if _, ok := byName[name]; isDeprecated(doc) && !ok {
				t.Errorf("client-go %s: %s is deprecated (%q) but not in the table", r.version, name, doc.Text())
			}
		}
	}
}

// testGates checks each form's Since: its twin exists exactly in the
// releases at or above it. With releases on both sides of every Since,
// this pins each Since to the release that introduced the twin.
func testGates(t *testing.T, rels []*release) {
	for _, e := range Table {
		for _, f := range e.Forms {
			for _, r := range rels {
				has := r.lookup(f.Twin) != nil
				if want := r.atLeast(f.Since); has != want {
					t.Errorf("%s: twin %s exists at client-go %s: got %v, want %v (Since %s)", e.Name, f.Twin, r.version, has, want, f.Since)
				}
			}
		}
	}
}

// testLater checks the additions after v0.31.0 the same way.
func testLater(t *testing.T, rels []*release) {
	for _, a := range Later {
		for _, r := range rels {
			has := hasAddition(r, a)
			if want := r.atLeast(a.Since); has != want {
				t.Errorf("%s.%s exists at client-go %s: got %v, want %v (Since %s)", a.Name, a.Field, r.version, has, want, a.Since)
			}
		}
	}
}

func hasAddition(r *release, a Addition) bool {
	obj := r.lookup(a.Name)
	if obj == nil || a.Field == "" {
		return obj != nil
	}
	st, ok := obj.Type().Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for f := range st.Fields() {
		if f.Name() == a.Field {
			return true
		}
	}
	return false
}

// testSupported checks that Supported accepts exactly the releases where
// every deprecated name has a form whose twin exists, and that its error
// names the first such release.
func testSupported(t *testing.T, rels []*release) {
	first := ""
	for _, r := range rels {
		can := migratable(r)
		if can && first == "" {
			first = r.version
		}
		err := Supported(r.version)
		if (err == nil) != can {
			t.Errorf("Supported(%q) = %v; every deprecated name migratable: %v", r.version, err, can)
		}
	}
	if first == "" {
		t.Fatal("no release under testdata can be migrated")
	}
	for _, r := range rels {
		if err := Supported(r.version); err != nil && !strings.Contains(err.Error(), first+" or newer") {
			t.Errorf("Supported(%q) = %q, want it to name %s", r.version, err, first)
		}
	}
}

// migratable reports whether every name deprecated in r has a form at r
// whose twin r declares.
func migratable(r *release) bool {
	for name, doc := range r.docs {
		if !isDeprecated(doc) {
			continue
		}
		e, ok := byName[name]
		if !ok {
			return false
		}
		f, ok := e.For(r.version)
		if !ok || r.lookup(f.Twin) == nil {
			return false
		}
	}
	return true
}

// testEntry checks e against release r, which is at or above e's Since.
func testEntry(t *testing.T, e *Entry, r *release) {
	obj := r.lookup(e.Name)
	if obj == nil {
		t.Errorf("client-go %s: %s does not exist", r.version, e.Name)
		return
	}
	if got, ok := Lookup(obj); !ok || got != e {
		t.Errorf("client-go %s: Lookup(%s) = %v, %v; want its entry", r.version, obj, got, ok)
	}
	doc := r.docs[e.Name]
	if !isDeprecated(doc) {
		t.Errorf("client-go %s: %s is not deprecated; doc: %q", r.version, e.Name, doc.Text())
	} else if got := isHidden(doc); got != e.Hidden {
		t.Errorf("client-go %s: %s Hidden: got %v, want %v; doc: %q", r.version, e.Name, got, e.Hidden, doc.Text())
	}
	for _, f := range e.Forms {
		if !r.atLeast(f.Since) {
			continue
		}
		if isDeprecated(r.docs[f.Twin]) {
			t.Errorf("client-go %s: %s -> %s: the twin is deprecated too: %q", r.version, e.Name, f.Twin, r.docs[f.Twin].Text())
		}
		if err := checkIdentity(e, f, obj, r); err != "" {
			t.Errorf("client-go %s: %s -> %s: %s", r.version, e.Name, f.Twin, err)
		}
		checkForm(t, e, f, obj, r)
		checkDelegation(t, e, f, obj, r)
	}
}

// checkDelegation checks that a call of the old function and its
// replacement end in the same call (see expand). Variadic calls are not
// followed: NewMaxOfRateLimiter's twin is the only function of its type.
func checkDelegation(t *testing.T, e *Entry, f Form, obj types.Object, r *release) {
	fn, ok := obj.(*types.Func)
	if !ok || fn.Signature().Variadic() {
		return
	}
	old, repl, err := delegation(r, e, f, fn.Signature())
	if err != nil {
		t.Errorf("client-go %s: %s -> %s: %v", r.version, e.Name, f.Twin, err)
	} else if old != repl {
		t.Errorf("client-go %s: %s -> %s do different things:\nold  %s\nnew  %s", r.version, e.Name, f.Twin, old, repl)
	}
}

// checkIdentity checks that f's twin at any stands for obj: identical for
// an alias; same underlying type and mutually assignable, but not
// identical, for a defined type; for a function whose arguments stay, an
// identical signature once the defined types in obj's are read as their
// twins at any. It returns what failed, or "".
func checkIdentity(e *Entry, f Form, obj types.Object, r *release) string {
	twin := r.lookup(f.Twin)
	if twin == nil {
		return "twin does not exist"
	}
	switch e.Kind {
	case Alias, Defined:
		tn, ok := obj.(*types.TypeName)
		if !ok {
			return "not a type"
		}
		inst, err := types.Instantiate(nil, twin.Type(), []types.Type{anyType}, true)
		if err != nil {
			return "twin[any]: " + err.Error()
		}
		return typeIdentity(e.Kind, tn, inst)
	}
	fn, ok := obj.(*types.Func)
	if !ok {
		return "not a function"
	}
	if f.Args != nil {
		return "" // the arguments move: checkForm proves the call
	}
	old, want := atItem(fn.Signature(), anyType), atItem(twin.(*types.Func).Signature(), anyType)
	if !types.Identical(old, want) {
		return "signature " + old.String() + " is not the twin's at any, " + want.String()
	}
	return ""
}

func typeIdentity(kind Kind, tn *types.TypeName, inst types.Type) string {
	old := tn.Type()
	if tn.IsAlias() != (kind == Alias) {
		return "IsAlias() = " + strconv.FormatBool(tn.IsAlias()) + ", kind " + kind.String()
	}
	if kind == Alias {
		if !types.Identical(old, inst) {
			return old.String() + " is not identical to " + inst.String()
		}
		return ""
	}
	switch {
	case types.Identical(old, inst):
		return "identical to " + inst.String() + ", so not a defined type"
	case !types.Identical(old.Underlying(), inst.Underlying()):
		return "underlying type differs from " + inst.String()
	case !types.AssignableTo(old, inst) || !types.AssignableTo(inst, old):
		return "not mutually assignable with " + inst.String()
	}
	return ""
}

// atItem returns sig with its type parameter, or else its deprecated
// types, set to item.
func atItem(sig *types.Signature, item types.Type) *types.Signature {
	if sig.TypeParams().Len() == 0 {
		return Retype(sig, item).(*types.Signature)
	}
	inst, err := types.Instantiate(nil, sig, []types.Type{item}, true)
	if err != nil {
		return sig
	}
	return inst.(*types.Signature)
}

// checkForm type-checks the replacement f of obj in a small file against
// release r, for T = string and T = any, and checks that [T] is written
// exactly where it must be and that the arguments are all kept.
func checkForm(t *testing.T, e *Entry, f Form, obj types.Object, r *release) {
	for _, item := range []types.Type{types.Typ[types.String], anyType} {
		src, got, err := replace(e, f, obj, r, item)
		if err != nil {
			t.Errorf("client-go %s: %s -> %s, T = %s: %v\n%s", r.version, e.Name, f.Twin, item, err, src)
			continue
		}
		if want := Retype(resultOf(obj, item), item); !types.Identical(got, want) {
			t.Errorf("client-go %s: %s -> %s, T = %s: got type %s, want %s\n%s", r.version, e.Name, f.Twin, item, got, want, src)
		}
		if !f.ExplicitT {
			continue
		}
		implicit := f
		implicit.ExplicitT = false
		if src, _, err := replace(e, implicit, obj, r, item); err == nil {
			t.Errorf("client-go %s: %s -> %s: ExplicitT, but T = %s is inferred without it:\n%s", r.version, e.Name, f.Twin, item, src)
		}
	}
	if fn, ok := obj.(*types.Func); ok && f.Args != nil {
		checkArgs(t, e, f, fn, r)
	}
}

// resultOf returns the type an old use of obj has: the type itself, or a
// call's result (a generic function's at item).
func resultOf(obj types.Object, item types.Type) types.Type {
	fn, ok := obj.(*types.Func)
	if !ok {
		return obj.Type()
	}
	return atItem(fn.Signature(), item).Results().At(0).Type()
}

// checkArgs checks that f passes every old argument exactly once; which
// field takes which argument checkDelegation proves.
func checkArgs(t *testing.T, e *Entry, f Form, fn *types.Func, r *release) {
	params := fn.Signature().Params()
	var used []int
	for _, a := range f.Args {
		if a.Config == "" {
			used = append(used, a.Old)
		}
		for _, fld := range a.Fields {
			used = append(used, fld.Old)
		}
	}
	slices.Sort(used)
	want := make([]int, params.Len())
	for i := range want {
		want[i] = i
	}
	if !slices.Equal(used, want) {
		t.Errorf("client-go %s: %s -> %s uses old arguments %v, want %v", r.version, e.Name, f.Twin, used, want)
	}
}
