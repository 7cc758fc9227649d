package rewrite

// Queue families: the deprecated values that flow into one another get
// one item type T, and values that never meet may get different ones.
// A family is a set of places (variables, fields, parameters, function
// results, the package's interface, wrapper and fake types) and
// deprecated uses, joined where a value flows (assignments, composite
// literals, call arguments, returns, constructor arguments such as a
// shared limiter) and where an item flows (Get's result, a helper's
// parameter, an item requeued on another queue). The places are keyed by
// position, so one family can span packages: an exported constructor's
// parameter and the limiter an importer passes it.
//
// Each family takes T from its own evidence (typeditem.go); a family
// that holds a place of the exported API takes a concrete T only when
// every package that can import it is in the run (exportedSafe).

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/queuefix/queuefix/rewrite/internal/match"
)

// fkey names one place of a family: an object ('o'), a deprecated use
// ('u'), or the idx'th result of a function ('r').
type fkey struct {
	kind byte
	pos  token.Pos
	idx  int
}

// families is the union-find over places, and the evidence for each
// family's T.
type families struct {
	a              *index
	parent         map[fkey]fkey
	evidence       []famEvidence
	anyWhy         []famWhy
	exportedPlaces map[fkey]exportedPlace
	special        map[fkey]bool     // the package's wrapper, mirror and fake types
	uses           map[ast.Expr]fkey // use nodes
	solved         map[fkey]itemFlow
	safe           map[string]safety // exportedSafe's answer by module directory
}

type safety struct {
	ok  bool
	why string
}

// exportedSafe is index.exportedSafe, walked once per module.
func (fm *families) exportedSafe(pkg *packages.Package) (bool, string) {
	dir := ""
	if pkg.Module != nil {
		dir = pkg.Module.Dir
	}
	if s, ok := fm.safe[dir]; ok {
		return s.ok, s.why
	}
	ok, why := fm.a.exportedSafe(pkg)
	fm.safe[dir] = safety{ok, why}
	return ok, why
}

type famEvidence struct {
	k fkey
	evidence
}

type famWhy struct {
	k   fkey
	why string
}

func newFamilies(a *index) *families {
	return &families{a: a, parent: make(map[fkey]fkey), exportedPlaces: make(map[fkey]exportedPlace),
		special: make(map[fkey]bool), uses: make(map[ast.Expr]fkey), safe: make(map[string]safety)}
}

func (fm *families) find(k fkey) fkey {
	p, ok := fm.parent[k]
	if !ok {
		fm.parent[k] = k
		return k
	}
	if p == k {
		return k
	}
	r := fm.find(p)
	fm.parent[k] = r
	return r
}

// union joins the families of x and y; the earlier position is the root,
// so a family's name does not depend on the order of the walk.
func (fm *families) union(x, y fkey) {
	rx, ry := fm.find(x), fm.find(y)
	if rx == ry {
		return
	}
	if ry.pos < rx.pos || ry.pos == rx.pos && ry.idx < rx.idx {
		rx, ry = ry, rx
	}
	fm.parent[ry] = rx
}

func useKey(u typedUse) fkey { return fkey{kind: 'u', pos: u.id.Pos()} }

// objKey returns the key of an object declared in an analysed file.
func (fm *families) objKey(obj types.Object) (fkey, bool) {
	switch o := obj.(type) {
	case nil:
		return fkey{}, false
	case *types.Var:
		obj = o.Origin()
	case *types.Func:
		obj = o.Origin()
	}
	pos, ok := fm.canon(obj.Pos())
	if !ok {
		return fkey{}, false
	}
	return fkey{kind: 'o', pos: pos}, true
}

// canon returns pos in the indexed syntax of its file: a package's
// variants (with and without tests) may each parse a file, and an object
// of either must name the same place.
func (fm *families) canon(pos token.Pos) (token.Pos, bool) {
	tf := fm.a.fset.File(pos)
	if !pos.IsValid() || tf == nil {
		return token.NoPos, false
	}
	fi := fm.a.files[tf.Name()]
	if fi == nil {
		return token.NoPos, false
	}
	ctf := fm.a.fset.File(fi.syntax.FileStart)
	off := tf.Offset(pos)
	if off > ctf.Size() {
		return token.NoPos, false
	}
	return ctf.Pos(off), true
}

func (fm *families) resultKey(fn *types.Func, i int) (fkey, bool) {
	if fn == nil {
		return fkey{}, false
	}
	k, ok := fm.objKey(fn)
	if !ok {
		return fkey{}, false
	}
	return fkey{kind: 'r', pos: k.pos, idx: i}, true
}

// root returns the place whose value e is, if it is one.
func (fm *families) root(info *types.Info, e ast.Expr) (fkey, bool) {
	e = ast.Unparen(e)
	if k, ok := fm.uses[e]; ok {
		return k, true
	}
	switch e := e.(type) {
	case *ast.Ident:
		if v, ok := info.ObjectOf(e).(*types.Var); ok {
			return fm.objKey(v)
		}
	case *ast.SelectorExpr:
		if s := info.Selections[e]; s != nil {
			if s.Kind() == types.FieldVal {
				return fm.objKey(s.Obj())
			}
			return fkey{}, false
		}
		if v, ok := info.ObjectOf(e.Sel).(*types.Var); ok {
			return fm.objKey(v)
		}
	case *ast.CallExpr:
		fn := calledFunc(info, e)
		if fn == nil {
			return fkey{}, false
		}
		if j, ok := passedThrough(fn); ok {
			if j < len(e.Args) {
				return fm.root(info, e.Args[j])
			}
			return fkey{}, false
		}
		if hasTypeParam(fn.Origin().Signature().Results()) {
			return fkey{}, false
		}
		return fm.resultKey(fn, 0)
	case *ast.UnaryExpr:
		if e.Op == token.AND {
			return fm.root(info, e.X)
		}
	case *ast.StarExpr:
		return fm.root(info, e.X)
	case *ast.IndexExpr:
		return fm.root(info, e.X)
	case *ast.CompositeLit:
		if k, ok := fm.uses[e.Type]; ok {
			return k, true
		}
		if n := match.NamedOf(info.TypeOf(e)); n != nil {
			if k, ok := fm.objKey(n.Obj()); ok && fm.special[k] {
				return k, true
			}
		}
	}
	return fkey{}, false
}

// calledFunc returns the function or method a call names, an interface's
// method included: its places are the implementations' (implementers).
func calledFunc(info *types.Info, call *ast.CallExpr) *types.Func {
	if fn := match.CalleeFunc(info, call); fn != nil {
		return fn
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	if s := info.Selections[sel]; s == nil || s.Kind() != types.MethodVal {
		return nil
	}
	fn, _ := info.Uses[sel.Sel].(*types.Func)
	return fn
}

// interesting reports whether values of type t carry a queue family: t
// mentions a deprecated type or is one of the package's special types.
func (fm *families) interesting(t types.Type) bool {
	if t == nil {
		return false
	}
	if n := match.NamedOf(t); n != nil {
		if k, ok := fm.objKey(n.Obj()); ok && fm.special[k] {
			return true
		}
	}
	return mentionsDeprecated(t, 0)
}

// mentionsDeprecated reports whether t is or holds a deprecated
// work-queue type.
func mentionsDeprecated(t types.Type, depth int) bool {
	if depth > 4 || t == nil {
		return false
	}
	if isDeprecatedType(t) {
		return true
	}
	switch t := types.Unalias(t).(type) {
	case *types.Pointer:
		return mentionsDeprecated(t.Elem(), depth+1)
	case *types.Slice:
		return mentionsDeprecated(t.Elem(), depth+1)
	case *types.Array:
		return mentionsDeprecated(t.Elem(), depth+1)
	case *types.Map:
		return mentionsDeprecated(t.Key(), depth+1) || mentionsDeprecated(t.Elem(), depth+1)
	case *types.Chan:
		return mentionsDeprecated(t.Elem(), depth+1)
	case *types.Signature:
		for _, tup := range []*types.Tuple{t.Params(), t.Results()} {
			for i := range tup.Len() {
				if mentionsDeprecated(tup.At(i).Type(), depth+1) {
					return true
				}
			}
		}
	}
	return false
}

// link joins the family of place dst with the value src flows from, when
// the value carries a family.
func (fm *families) link(info *types.Info, dst fkey, src ast.Expr) {
	k, ok := fm.root(info, src)
	if !ok {
		return
	}
	_, isUse := fm.uses[ast.Unparen(src)]
	if isUse || fm.interesting(info.TypeOf(src)) {
		fm.union(dst, k)
	}
}

// linkExprs joins the places of two expressions (dst = src).
func (fm *families) linkExprs(info *types.Info, dst, src ast.Expr) {
	if k, ok := fm.root(info, dst); ok {
		fm.link(info, k, src)
	}
}

// walkFlows joins the families of the values that flow into one another
// in fi.
func (fm *families) walkFlows(fi *fileInfo) {
	info := fi.pkg.TypesInfo
	for _, d := range fi.syntax.Decls {
		var fn *types.Func
		if fd, ok := d.(*ast.FuncDecl); ok {
			fn, _ = info.Defs[fd.Name].(*types.Func)
		}
		fm.walk(info, d, fn)
	}
}

// walk joins the flows in n, whose return statements return from fn
// (nil in a function literal).
func (fm *families) walk(info *types.Info, n ast.Node, fn *types.Func) {
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			fm.walk(info, n.Body, nil)
			return false
		case *ast.AssignStmt:
			fm.assign(info, n.Lhs, n.Rhs)
		case *ast.ValueSpec:
			lhs := make([]ast.Expr, len(n.Names))
			for i, id := range n.Names {
				lhs[i] = id
			}
			fm.assign(info, lhs, n.Values)
		case *ast.CompositeLit:
			fm.compositeFlows(info, n)
		case *ast.CallExpr:
			fm.callFlows(info, n)
		case *ast.ReturnStmt:
			if fn == nil {
				return true
			}
			for i, r := range n.Results {
				if k, ok := fm.resultKey(fn, i); ok {
					fm.link(info, k, r)
				}
			}
		}
		return true
	})
}

func (fm *families) assign(info *types.Info, lhs, rhs []ast.Expr) {
	if len(lhs) == len(rhs) {
		for i := range lhs {
			fm.linkExprs(info, lhs[i], rhs[i])
		}
		return
	}
	if len(rhs) != 1 {
		return
	}
	call, ok := ast.Unparen(rhs[0]).(*ast.CallExpr)
	if !ok {
		return
	}
	fn := match.CalleeFunc(info, call)
	if fn == nil {
		return
	}
	if hasTypeParam(fn.Origin().Signature().Results()) {
		return
	}
	for i, l := range lhs {
		d, ok := fm.root(info, l)
		r, ok2 := fm.resultKey(fn, i)
		if ok && ok2 && fm.interesting(info.TypeOf(l)) {
			fm.union(d, r)
		}
	}
}

func (fm *families) compositeFlows(info *types.Info, lit *ast.CompositeLit) {
	if k, ok := fm.uses[lit.Type]; ok {
		for _, elt := range lit.Elts {
			if kv, isKV := elt.(*ast.KeyValueExpr); isKV {
				elt = kv.Value
			}
			fm.link(info, k, elt)
		}
		return
	}
	st, ok := match.Deref(info.TypeOf(lit)).Underlying().(*types.Struct)
	if !ok {
		return
	}
	for i, elt := range lit.Elts {
		var field types.Object
		if kv, isKV := elt.(*ast.KeyValueExpr); isKV {
			if id, isID := kv.Key.(*ast.Ident); isID {
				field = info.ObjectOf(id)
			}
			elt = kv.Value
		} else if i < st.NumFields() {
			field = st.Field(i)
		}
		if k, ok := fm.objKey(field); ok {
			fm.link(info, k, elt)
		}
	}
}

func (fm *families) callFlows(info *types.Info, call *ast.CallExpr) {
	if k, ok := fm.uses[call]; ok {
		for _, arg := range call.Args {
			fm.link(info, k, arg)
		}
		return
	}
	fn := calledFunc(info, call)
	if fn == nil {
		return
	}
	params := fn.Origin().Signature().Params()
	for i, arg := range call.Args {
		if i >= params.Len() || fn.Signature().Variadic() && i >= params.Len()-1 {
			break
		}
		if hasTypeParam(params.At(i).Type()) {
			continue // each call instantiates it anew: no family across calls
		}
		if k, ok := fm.objKey(params.At(i)); ok {
			fm.link(info, k, arg)
		}
	}
}

// passedThrough reports which parameter a generic function returns the
// value of, by type: func F[Q any](e *Env, q Q) Q returns its q (or a Q
// made from it), so F(env, queue) is in queue's family, and a call is
// not tied to the other calls of F.
func passedThrough(fn *types.Func) (int, bool) {
	sig := fn.Origin().Signature()
	if sig.Results().Len() != 1 {
		return 0, false
	}
	tp, ok := sig.Results().At(0).Type().(*types.TypeParam)
	if !ok {
		return 0, false
	}
	for j := 0; j < sig.Params().Len(); j++ {
		if sig.Params().At(j).Type() == types.Type(tp) {
			return j, true
		}
	}
	return 0, false
}

// hasTypeParam reports whether t is or holds a type parameter.
func hasTypeParam(t types.Type) bool {
	switch t := t.(type) {
	case *types.TypeParam:
		return true
	case *types.Tuple:
		for i := 0; i < t.Len(); i++ {
			if hasTypeParam(t.At(i).Type()) {
				return true
			}
		}
	case *types.Pointer:
		return hasTypeParam(t.Elem())
	case *types.Slice:
		return hasTypeParam(t.Elem())
	case *types.Array:
		return hasTypeParam(t.Elem())
	case *types.Chan:
		return hasTypeParam(t.Elem())
	case *types.Map:
		return hasTypeParam(t.Key()) || hasTypeParam(t.Elem())
	case *types.Signature:
		return hasTypeParam(t.Params()) || hasTypeParam(t.Results())
	case *types.Named:
		for i := 0; i < t.TypeArgs().Len(); i++ {
			if hasTypeParam(t.TypeArgs().At(i)) {
				return true
			}
		}
	}
	return false
}

// declLinks joins each deprecated use that is a type with the place it
// declares the type of: a field, variable, parameter or result; every
// use in the methods of one interface type with the type.
func (fm *families) declLinks(u typedUse) {
	info := u.fi.pkg.TypesInfo
	k := useKey(u)
	if obj, ok := info.Defs[u.id].(*types.Var); ok { // an embedded field
		fm.unionObj(k, obj)
	}
	path, _ := pathTo(u.fi.syntax, u.node.Pos(), u.node.End())
	for i := 1; i < len(path); i++ {
		switch n := path[i].(type) {
		case *ast.CompositeLit, *ast.CallExpr, *ast.BlockStmt, *ast.FuncLit:
			return // a literal's type or a call's argument: flows join it
		case *ast.InterfaceType:
			if ts, ok := typeSpecAbove(path[i+1:]); ok {
				fm.unionObj(k, info.Defs[ts.Name])
			}
			return
		case *ast.Field:
			if fm.fieldLinks(info, k, n, path[i+1:]) {
				return
			}
		case *ast.ValueSpec:
			for _, id := range n.Names {
				fm.unionObj(k, info.Defs[id])
			}
			return
		case *ast.TypeSpec:
			fm.unionObj(k, info.Defs[n.Name])
			return
		}
	}
}

// fieldLinks joins k with the places a field declares: struct fields (and
// the struct type, for an embedded one), parameters, results. It reports
// whether it is done; a field of a func type inside a type goes on to
// the declaration that holds the type.
func (fm *families) fieldLinks(info *types.Info, k fkey, f *ast.Field, up []ast.Node) bool {
	if len(up) < 2 {
		return true
	}
	list := up[0].(*ast.FieldList)
	switch owner := up[1].(type) {
	case *ast.StructType:
		for _, id := range f.Names {
			fm.unionObj(k, info.Defs[id])
		}
		if len(f.Names) == 0 {
			if ts, ok := typeSpecAbove(up[2:]); ok {
				fm.unionObj(k, info.Defs[ts.Name])
			}
		}
		return true
	case *ast.FuncType:
		if len(up) < 3 {
			return true
		}
		if m, inIface := up[2].(*ast.Field); inIface {
			// A method of an interface: the method's own places, and
			// (going on) the interface type.
			if len(m.Names) == 1 {
				fm.signatureLinks(info, k, info.Defs[m.Names[0]], owner, list, f)
			}
			return false
		}
		fd, isDecl := up[2].(*ast.FuncDecl)
		_, isLit := up[2].(*ast.FuncLit)
		if !isDecl && !isLit {
			return false // a func type: the place that holds it
		}
		if isDecl {
			fm.signatureLinks(info, k, info.Defs[fd.Name], owner, list, f)
			return true
		}
		for _, id := range f.Names {
			fm.unionObj(k, info.Defs[id])
		}
		return true
	}
	return true
}

// signatureLinks joins k with the parameters or results that the field f
// of a function's or method's signature declares.
func (fm *families) signatureLinks(info *types.Info, k fkey, obj types.Object, ft *ast.FuncType, list *ast.FieldList, f *ast.Field) {
	fn, _ := obj.(*types.Func)
	if list == ft.Results {
		fm.linkResults(k, fn, ft.Results, f)
		return
	}
	for _, id := range f.Names {
		fm.unionObj(k, info.Defs[id])
	}
}

// implementers joins the places of each method of the package's
// interfaces that mention a deprecated type with those of the same
// method of the package's types that implement the interface: the
// implementation must change with the interface.
func (fm *families) implementers(pkg *types.Package) {
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok {
			continue
		}
		it, ok := tn.Type().Underlying().(*types.Interface)
		if !ok || it.NumMethods() == 0 || !mentionsDeprecated(tn.Type(), 0) && !ifaceMentions(it) {
			continue
		}
		for _, other := range scope.Names() {
			impl, ok := scope.Lookup(other).(*types.TypeName)
			if !ok || impl == tn || types.IsInterface(impl.Type()) {
				continue
			}
			ptr := types.NewPointer(impl.Type())
			if !types.Implements(ptr, it) {
				continue
			}
			for i := range it.NumMethods() {
				m := it.Method(i)
				cm, _, _ := types.LookupFieldOrMethod(ptr, true, pkg, m.Name())
				if cm, ok := cm.(*types.Func); ok {
					fm.joinSignatures(m, cm)
				}
			}
		}
	}
}

func ifaceMentions(it *types.Interface) bool {
	for i := range it.NumMethods() {
		if mentionsDeprecated(it.Method(i).Type(), 0) {
			return true
		}
	}
	return false
}

// joinSignatures joins the places of two methods' parameters and results.
func (fm *families) joinSignatures(a, b *types.Func) {
	sa, sb := a.Signature(), b.Signature()
	for i := range min(sa.Params().Len(), sb.Params().Len()) {
		if mentionsDeprecated(sa.Params().At(i).Type(), 0) {
			fm.unionObjs(sa.Params().At(i), sb.Params().At(i))
		}
	}
	for i := range min(sa.Results().Len(), sb.Results().Len()) {
		ra, ok := fm.resultKey(a, i)
		rb, ok2 := fm.resultKey(b, i)
		if ok && ok2 && mentionsDeprecated(sa.Results().At(i).Type(), 0) {
			fm.union(ra, rb)
		}
	}
}

// linkResults joins k with the results the field f declares.
func (fm *families) linkResults(k fkey, fn *types.Func, results *ast.FieldList, f *ast.Field) {
	if fn == nil {
		return
	}
	i := 0
	for _, g := range results.List {
		n := max(len(g.Names), 1)
		if g == f {
			for j := range n {
				if r, ok := fm.resultKey(fn, i+j); ok {
					fm.union(k, r)
				}
			}
			return
		}
		i += n
	}
}

func typeSpecAbove(up []ast.Node) (*ast.TypeSpec, bool) {
	for _, n := range up {
		switch n := n.(type) {
		case *ast.TypeSpec:
			return n, true
		case *ast.BlockStmt:
			return nil, false
		}
	}
	return nil, false
}

func (fm *families) unionObj(k fkey, obj types.Object) {
	if o, ok := fm.objKey(obj); ok {
		fm.union(k, o)
	}
}

// markSpecial records a package type that stands for a queue (a wrapper,
// a mirror interface, a fake): its values carry its family.
func (fm *families) markSpecial(tn *types.TypeName) (fkey, bool) {
	k, ok := fm.objKey(tn)
	if ok {
		fm.special[k] = true
		fm.find(k)
	}
	return k, ok
}

// objTypes joins each variable of a special type with the type: all
// values of a wrapper or a fake are one family.
func (fm *families) objTypes(fi *fileInfo) {
	for _, obj := range fi.pkg.TypesInfo.Defs {
		v, ok := obj.(*types.Var)
		if !ok {
			continue
		}
		if n := match.NamedOf(v.Type()); n != nil {
			if k, ok := fm.objKey(n.Obj()); ok && fm.special[k] {
				fm.unionObj(k, v)
			}
		}
	}
}

// exportedSafe reports whether every package that can import pkg is in
// the run, so an exported API may carry a concrete T: its module has no
// package directory the run did not load, nor tests it did not load.
// Otherwise it says why not.
func (a *index) exportedSafe(pkg *packages.Package) (bool, string) {
	if pkg.Module == nil || pkg.Module.Dir == "" {
		return false, "the package is not in a module"
	}
	loaded := make(map[string]bool) // directory, and directory + "_test"
	for _, p := range a.pkgs {
		for _, f := range p.GoFiles {
			loaded[filepath.Dir(f)] = true
			if strings.HasSuffix(f, "_test.go") {
				loaded[filepath.Dir(f)+"_test"] = true
			}
		}
	}
	root := pkg.Module.Dir
	missing := unloadedDir(root, loaded)
	if missing == "" {
		return true, ""
	}
	rel, _ := filepath.Rel(root, strings.TrimSuffix(missing, "_test"))
	what := filepath.ToSlash(rel)
	if strings.HasSuffix(missing, "_test") {
		what = "the tests in " + what
	}
	return false, fmt.Sprintf("the run did not load %s of its module, which may import it", what)
}

// unloadedDir returns a directory of the module at root whose Go files
// (or, with "_test" appended, whose test files) the run did not load.
func unloadedDir(root string, loaded map[string]bool) string {
	missing := ""
	filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		switch {
		case err != nil:
			return filepath.SkipDir
		case missing != "":
			return filepath.SkipAll
		case d.IsDir():
			name := d.Name()
			if path != root && (name == "vendor" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || hasGoMod(path)) {
				return filepath.SkipDir
			}
		case strings.HasSuffix(path, "_test.go"):
			if !loaded[filepath.Dir(path)+"_test"] {
				missing = filepath.Dir(path) + "_test"
			}
		case strings.HasSuffix(path, ".go"):
			if !loaded[filepath.Dir(path)] {
				missing = filepath.Dir(path)
			}
		}
		return nil
	})
	return missing
}

func hasGoMod(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "go.mod"))
	return err == nil
}

func (fm *families) unionObjs(x, y types.Object) {
	if k, ok := fm.objKey(x); ok {
		fm.unionObj(k, y)
	}
}

// exportedPlace is a place of the exported API.
type exportedPlace struct {
	name string
	pkg  *packages.Package
}

// solve chooses each family's T: the one type its evidence agrees on,
// or any with the reason.
func (fm *families) solve(tps []*typedPkg) {
	fm.solved = make(map[fkey]itemFlow)
	ev := make(map[fkey][]evidence)
	for _, e := range fm.evidence {
		r := fm.find(e.k)
		ev[r] = append(ev[r], e.evidence)
	}
	why := make(map[fkey]string)
	for _, w := range fm.anyWhy {
		if r := fm.find(w.k); why[r] == "" {
			why[r] = w.why
		}
	}
	for _, tp := range tps {
		for _, u := range tp.uses {
			r := fm.find(useKey(u))
			if _, done := fm.solved[r]; done {
				continue
			}
			fm.solved[r] = fm.choose(r, ev[r], why[r])
		}
	}
	for _, tp := range tps {
		for _, u := range tp.uses {
			r := fm.find(useKey(u))
			if t := fm.solved[r].t; t != nil && !canName(u.fi, t) {
				fm.solved[r] = itemFlow{reason: fmt.Sprintf("the items are %s, which %s does not import", t, filepath.Base(u.fi.name))}
			}
		}
	}
}

// choose returns a family's T, or any and why.
func (fm *families) choose(r fkey, ev []evidence, why string) itemFlow {
	if why != "" {
		return itemFlow{reason: why}
	}
	if len(ev) == 0 {
		return itemFlow{reason: "no Add or assertion says what this queue's items are"}
	}
	first := ev[0]
	for _, e := range ev[1:] {
		if !types.Identical(e.t, first.t) {
			return itemFlow{reason: fmt.Sprintf("items are mixed: %s at %s, %s at %s", first.t, fm.a.shortPos(first.pos), e.t, fm.a.shortPos(e.pos))}
		}
	}
	for k, p := range fm.exportedPlaces {
		if fm.find(k) != r {
			continue
		}
		if ok, whyNot := fm.exportedSafe(p.pkg); !ok {
			return itemFlow{reason: "part of the exported API (" + p.name + ") and " + whyNot + ": any keeps it assignable to and from the untyped queue importers hold"}
		}
	}
	return itemFlow{t: first.t}
}

// of returns the choice for the family of k.
func (fm *families) of(k fkey) itemFlow { return fm.solved[fm.find(k)] }

// fallBack makes the family of k any, for the reason given.
func (fm *families) fallBack(k fkey, f itemFlow) { fm.solved[fm.find(k)] = f }

// fallBackPkg makes every family with a use in tp any.
func (fm *families) fallBackPkg(tp *typedPkg, reason string) {
	for _, u := range tp.uses {
		if fm.of(useKey(u)).t != nil {
			fm.fallBack(useKey(u), itemFlow{reason: reason})
		}
	}
}

// fallBackConcrete makes the concrete families of tp any, for the type
// error c; it reports whether there was one.
func (fm *families) fallBackConcrete(tp *typedPkg, c *Cause) bool {
	changed := false
	for _, u := range tp.uses {
		if t := fm.of(useKey(u)).t; t != nil {
			fm.fallBack(useKey(u), itemFlow{reason: fmt.Sprintf("with T = %s the package does not type-check", t), cause: c})
			changed = true
		}
	}
	return changed
}
