package rewrite

// The item type T of a package's queues, from the data flow: the static
// type of every value added (Add, AddRateLimited, AddAfter) that is not
// itself a queue item, and the type every item Get returns is asserted
// to. Items flow from Get through variables and through the interface{}
// parameters of the package's own functions that receive nothing else.
// One type throughout gives T; none, an untyped value (an informer
// object, an interface{}), a type switch or two types give T = any, with
// the reason in each message.
//
// With a concrete T the item's path changes too: v.(T) becomes v, a
// comma-ok assertion loses its ok and the dead `if !ok { ... }` branch
// (the Forget in it with it), and the interface{} parameters items reach
// take T.

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/tools/go/packages"

	"github.com/queuefix/queuefix/rewrite/internal/match"
	"github.com/queuefix/queuefix/rewrite/internal/typedapi"
)

// itemFlow is the choice of T for a queue family.
type itemFlow struct {
	t      types.Type // nil: any
	reason string     // why T is any
	cause  *Cause     // the type error that made T any, quoted last
}

// itemEdit is one edit on an item's path.
type itemEdit struct {
	pos     token.Pos
	edit    Edit
	message string
	fix     string
}

// text returns T as fi writes it.
func (f itemFlow) text(fi *fileInfo) string {
	if f.t == nil {
		return "any"
	}
	return types.TypeString(f.t, fileQualifier(fi))
}

// why says why T is any, for the messages.
func (f itemFlow) why() string {
	switch {
	case f.t == nil && f.cause != nil:
		return "; T = any: " + f.reason + ": "
	case f.t == nil:
		return " (T = any: " + f.reason + ")"
	}
	return ""
}

// shortPos spells pos as file:line:col with the file's base name: the
// messages name places in the finding's own package, and a message keeps
// no path for the outputs to rewrite.
func (a *index) shortPos(pos token.Pos) string {
	p := a.fset.Position(pos)
	return fmt.Sprintf("%s:%d:%d", filepath.Base(p.Filename), p.Line, p.Column)
}

// fileQualifier names packages as fi's imports do.
func fileQualifier(fi *fileInfo) types.Qualifier {
	return func(p *types.Package) string {
		if p == fi.pkg.Types {
			return ""
		}
		for _, imp := range fi.syntax.Imports {
			if strings.Trim(imp.Path.Value, `"`) != p.Path() {
				continue
			}
			if imp.Name != nil {
				return imp.Name.Name
			}
			return p.Name()
		}
		return p.Name()
	}
}

// canName reports whether fi can write t without a new import.
func canName(fi *fileInfo, t types.Type) bool {
	ok := true
	types.TypeString(t, func(p *types.Package) string {
		if p == fi.pkg.Types {
			return ""
		}
		found := false
		for _, imp := range fi.syntax.Imports {
			if strings.Trim(imp.Path.Value, `"`) == p.Path() && (imp.Name == nil || imp.Name.Name != "_" && imp.Name.Name != ".") {
				found = true
			}
		}
		ok = ok && found
		return p.Name()
	})
	return ok
}

// flow is the state of the search for items in one package; what it
// learns about T goes to the families.
type flow struct {
	a     *index
	tp    *typedPkg
	fm    *families
	items map[types.Object]bool // variables that hold queue items
	slots map[types.Object][]*slot
	// variables that take what a slot of other values holds
	fromSlot   map[types.Object]*slot
	exportedOK bool // every package that may import this one is in the run
}

type evidence struct {
	t   types.Type
	pos token.Pos
}

// newFlow finds the package's wrapper, mirror and fake types and the
// variables Get's items go to.
func (a *index) newFlow(tp *typedPkg, fm *families) *flow {
	fl := &flow{a: a, tp: tp, fm: fm, items: make(map[types.Object]bool)}
	files := a.pkgFiles(tp.pkg)
	for _, fi := range files {
		fl.findOverrides(fi)
		fl.findWrappers(fi)
	}
	fl.findMirrors(files)
	fl.findSlots(files)
	return fl
}

// follow joins the package's flows into the families and follows its
// items; collect then records the evidence for T.
func (fl *flow) follow() {
	files := fl.a.pkgFiles(fl.tp.pkg)
	for _, fi := range files {
		fl.fm.objTypes(fi)
		fl.fm.walkFlows(fi)
		fl.findGets(fi)
	}
	for _, u := range fl.tp.uses {
		fl.fm.declLinks(u)
	}
	for changed := true; changed; {
		changed = false
		for _, fi := range files {
			changed = fl.propagate(fi) || changed
		}
		changed = fl.followSlots(files) || changed
	}
	for _, fi := range files {
		fl.collect(fi)
	}
}

// itemKey returns the family key of an item variable.
func (fl *flow) itemKey(obj types.Object) (fkey, bool) { return fl.fm.objKey(obj) }

// joinItem joins an item variable with the family of the queue value
// recv it came from or goes to.
func (fl *flow) joinItem(info *types.Info, obj types.Object, recv ast.Expr) {
	k, ok := fl.itemKey(obj)
	r, ok2 := fl.fm.root(info, recv)
	if ok && ok2 {
		fl.fm.union(k, r)
	}
}

// joinKey joins the family k with the queue value recv's.
func (fl *flow) joinKey(info *types.Info, k fkey, recv ast.Expr) {
	if r, ok := fl.fm.root(info, recv); ok {
		fl.fm.union(k, r)
	}
}

// recvOf returns the queue value a method call is made on.
func recvOf(call *ast.CallExpr) ast.Expr {
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
		return sel.X
	}
	return nil
}

// pkgFiles returns the indexed files of the package variant.
func (a *index) pkgFiles(pkg *packages.Package) []*fileInfo {
	var out []*fileInfo
	for _, f := range pkg.Syntax {
		if fi := a.files[a.fset.File(f.FileStart).Name()]; fi != nil && fi.pkg.PkgPath == pkg.PkgPath {
			out = append(out, fi)
		}
	}
	return out
}

// info returns the type information of the file's package variant.
func (fl *flow) info(fi *fileInfo) *types.Info { return fi.pkg.TypesInfo }

// untypedCall returns the work-queue method an untyped queue call calls
// (its item parameter or result is interface{}) on a queue of a
// deprecated type, directly or through embedded fields, or "".
func untypedCall(info *types.Info, call *ast.CallExpr) string {
	name, _ := match.CalledQueueMethod(info, call)
	if name == "" || !onDeprecated(info, call.Fun) {
		return ""
	}
	sig, ok := info.TypeOf(call.Fun).(*types.Signature)
	if !ok {
		return ""
	}
	var item types.Type
	switch {
	case sig.Params().Len() > 0:
		item = sig.Params().At(0).Type()
	case sig.Results().Len() > 0:
		item = sig.Results().At(0).Type()
	default:
		return ""
	}
	if !isEmptyInterface(item) {
		return ""
	}
	return name
}

// onDeprecated reports whether the method selected by fun is reached
// through a value or an embedded field of a deprecated work-queue type.
func onDeprecated(info *types.Info, fun ast.Expr) bool {
	sel, ok := ast.Unparen(fun).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	s := info.Selections[sel]
	if s == nil {
		return false
	}
	t := s.Recv()
	for _, i := range s.Index() {
		if isDeprecatedType(t) {
			return true
		}
		st, ok := match.Deref(t).Underlying().(*types.Struct)
		if !ok || i >= st.NumFields() {
			return false
		}
		t = st.Field(i).Type()
	}
	return false
}

// isDeprecatedType reports whether t (or *t) is a deprecated work-queue
// type.
func isDeprecatedType(t types.Type) bool {
	t = match.Deref(t)
	var obj *types.TypeName
	switch t := t.(type) {
	case *types.Named:
		obj = t.Obj()
	case *types.Alias:
		obj = t.Obj()
	default:
		return false
	}
	_, ok := typedapi.Lookup(obj)
	return ok
}

func isEmptyInterface(t types.Type) bool {
	it, ok := t.Underlying().(*types.Interface)
	return ok && it.Empty()
}

// findGets marks the variables that Get's item is assigned to.
func (fl *flow) findGets(fi *fileInfo) {
	info := fl.info(fi)
	ast.Inspect(fi.syntax, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Rhs) != 1 || len(as.Lhs) != 2 {
			return true
		}
		call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
		if !ok || untypedCall(info, call) != "Get" {
			return true
		}
		if obj := match.IdentObj(info, as.Lhs[0]); obj != nil {
			fl.items[obj] = true
			if r := recvOf(call); r != nil {
				fl.joinItem(info, obj, r)
			}
		}
		return true
	})
}

// queueMethods are the work-queue methods whose first parameter is an
// item.
var queueMethods = map[string]bool{"Add": true, "AddRateLimited": true, "AddAfter": true,
	"Done": true, "Forget": true, "NumRequeues": true, "When": true}

func isAddName(name string) bool {
	return name == "Add" || name == "AddRateLimited" || name == "AddAfter"
}

// isOverride reports whether fn is a method of a struct that embeds a
// deprecated queue or limiter and that overrides one of its item methods
// (a wrapper whose Add goes through the limiter).
func isOverride(fn *types.Func) bool {
	recv := fn.Signature().Recv()
	if recv == nil || !queueMethods[fn.Name()] || fn.Signature().Params().Len() == 0 {
		return false
	}
	return embedsDeprecated(match.Deref(recv.Type()))
}

// findWrappers marks the package's types that embed a deprecated queue
// or limiter: their values carry the embedded one's family.
func (fl *flow) findWrappers(fi *fileInfo) {
	for _, obj := range fi.pkg.TypesInfo.Defs {
		if tn, ok := obj.(*types.TypeName); ok && tn.Parent() == fi.pkg.Types.Scope() && embedsDeprecated(tn.Type()) {
			fl.fm.markSpecial(tn)
		}
	}
}

// findOverrides marks the item parameters of wrapper overrides.
func (fl *flow) findOverrides(fi *fileInfo) {
	for _, d := range fi.syntax.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv == nil {
			continue
		}
		fn, _ := fi.pkg.TypesInfo.Defs[fd.Name].(*types.Func)
		if fn == nil || !isOverride(fn) {
			continue
		}
		p := fn.Signature().Params().At(0)
		if isEmptyInterface(p.Type()) {
			fl.items[p] = true
			if n := match.NamedOf(fn.Signature().Recv().Type()); n != nil {
				if k, ok := fl.fm.markSpecial(n.Obj()); ok {
					fl.fm.unionObj(k, p)
				}
			}
		}
	}
}

// propagate marks the interface{} parameters of the package's own
// functions that receive an item at every call; it reports whether it
// marked one.
func (fl *flow) propagate(fi *fileInfo) bool {
	info := fl.info(fi)
	changed := false
	ast.Inspect(fi.syntax, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		params := fl.ownParams(fi, call)
		for i, arg := range call.Args {
			if i >= len(params) || params[i] == nil || fl.items[params[i]] || !isEmptyInterface(params[i].Type()) {
				continue
			}
			// An item passed on, or a concrete key handed to a helper
			// that gives it to the queue (requeue(key interface{})).
			from, isItem := fl.itemOf(info, arg)
			if !isItem && (!isConcrete(info, arg) || fl.flowsToQueue(params[i]) == nil) {
				continue
			}
			if !fl.onlyItems(params[i], i) {
				continue
			}
			fl.items[params[i]] = true
			if isItem {
				fl.fm.unionObj(from, params[i])
			} else {
				fl.joinItem(info, params[i], fl.flowsToQueue(params[i]))
			}
			changed = true
		}
		return true
	})
	return changed
}

// ownParams returns the parameters of the function a call calls when it
// is a function literal called in place or an unexported function of the
// package, and nil otherwise.
func (fl *flow) ownParams(fi *fileInfo, call *ast.CallExpr) []*types.Var {
	info := fl.info(fi)
	var ftype *ast.FuncType
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.FuncLit:
		ftype = fun.Type
	default:
		fn := match.CalleeFunc(info, call)
		if fn == nil || fn.Exported() || fn.Pkg() != fi.pkg.Types {
			return nil
		}
		decl := fl.declOf(fn)
		if decl == nil {
			return nil
		}
		ftype = decl.Type
	}
	var out []*types.Var
	for _, field := range ftype.Params.List {
		if len(field.Names) == 0 {
			out = append(out, nil)
			continue
		}
		for _, name := range field.Names {
			v, _ := fl.declInfo(name).Defs[name].(*types.Var)
			out = append(out, v)
		}
	}
	return out
}

// declOf returns the declaration of fn in the package's files.
func (fl *flow) declOf(fn *types.Func) *ast.FuncDecl {
	for _, fi := range fl.a.pkgFiles(fl.tp.pkg) {
		for _, d := range fi.syntax.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Pos() == fn.Pos() {
				return fd
			}
		}
	}
	return nil
}

// declInfo returns the type information of the file that holds id.
func (fl *flow) declInfo(id *ast.Ident) *types.Info {
	return fl.a.fileOf(id.Pos()).pkg.TypesInfo
}

// onlyItems reports whether every call of the function whose i'th
// parameter is p passes an item or a value of a concrete type there (the
// values are evidence for T: collect), and the function is never used as
// a value.
func (fl *flow) onlyItems(p *types.Var, i int) bool {
	fn := enclosingFuncOf(fl, p)
	if fn == nil {
		return true // a function literal called in place: its one call
	}
	ok := true
	for _, fi := range fl.a.pkgFiles(fl.tp.pkg) {
		info := fl.info(fi)
		calls := make(map[*ast.Ident]bool)
		ast.Inspect(fi.syntax, func(n ast.Node) bool {
			call, isCall := n.(*ast.CallExpr)
			if !isCall {
				return true
			}
			if match.CalleeFunc(info, call) == fn {
				calls[match.CalleeIdent(call)] = true
				if i >= len(call.Args) || !fl.isItem(info, call.Args[i]) && !isConcrete(info, call.Args[i]) {
					ok = false
				}
			}
			return true
		})
		for id, obj := range info.Uses {
			if obj == fn && !calls[id] {
				ok = false // a method value or a function value
			}
		}
	}
	return ok
}

// isConcrete reports whether e's type is not an interface.
func isConcrete(info *types.Info, e ast.Expr) bool {
	t := info.TypeOf(e)
	return t != nil && !types.IsInterface(t)
}

// flowsToQueue returns the queue p is the item argument of an untyped
// call of somewhere in the package, or nil.
func (fl *flow) flowsToQueue(p *types.Var) ast.Expr {
	var found ast.Expr
	for _, fi := range fl.a.pkgFiles(fl.tp.pkg) {
		info := fl.info(fi)
		ast.Inspect(fi.syntax, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if ok && len(call.Args) > 0 && untypedCall(info, call) != "" && match.IdentObj(info, call.Args[0]) == p {
				found = recvOf(call)
			}
			return found == nil
		})
		if found != nil {
			return found
		}
	}
	return nil
}

// enclosingFuncOf returns the declared function whose parameter p is, or
// nil for a function literal's.
func enclosingFuncOf(fl *flow, p *types.Var) *types.Func {
	for _, fi := range fl.a.pkgFiles(fl.tp.pkg) {
		for _, d := range fi.syntax.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Type.Params.Pos() > p.Pos() || p.Pos() > fd.Type.Params.End() {
				continue
			}
			fn, _ := fi.pkg.TypesInfo.Defs[fd.Name].(*types.Func)
			return fn
		}
	}
	return nil
}

// collect records what the package adds and what it asserts items to,
// each for the family of the queue or item.
func (fl *flow) collect(fi *fileInfo) {
	info := fl.info(fi)
	ast.Inspect(fi.syntax, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			switch untypedCall(info, n) {
			case "Add", "AddRateLimited", "AddAfter":
				fl.addedTo(info, recvOf(n), n.Args[0])
				return true
			case "Done", "Forget", "NumRequeues", "When":
				if k, ok := fl.itemOf(info, n.Args[0]); ok {
					fl.joinKey(info, k, recvOf(n))
				}
				return true
			}
			if fn := match.CalleeFunc(info, n); fn != nil && isOverride(fn) && isAddName(fn.Name()) && len(n.Args) > 0 {
				fl.addedTo(info, recvOf(n), n.Args[0])
				return true
			}
			for i, p := range fl.ownParams(fi, n) {
				if p != nil && fl.items[p] && i < len(n.Args) {
					if k, ok := fl.itemKey(p); ok {
						fl.added(info, k, n.Args[i])
					}
				}
			}
		case *ast.TypeAssertExpr:
			if k, ok := fl.itemOf(info, n.X); ok {
				fl.asserted(info, k, n)
			}
		}
		return true
	})
}

// addedTo records an Add of arg on the queue recv: an item requeued joins
// the families, anything else is evidence for recv's family.
func (fl *flow) addedTo(info *types.Info, recv, arg ast.Expr) {
	k, ok := fl.fm.root(info, recv)
	if !ok {
		return // a queue no place holds: the type check decides
	}
	if it, ok := fl.itemOf(info, arg); ok {
		fl.joinKey(info, it, recv)
		return
	}
	fl.added(info, k, arg)
}

func (fl *flow) added(info *types.Info, k fkey, arg ast.Expr) {
	if fl.isItem(info, arg) {
		return // an item requeued
	}
	t := types.Default(info.TypeOf(arg))
	if why := fl.slotWhy(info, arg); why != "" && types.IsInterface(t) {
		fl.noteAny(k, fmt.Sprintf("an untyped value is added at %s: %s", fl.a.shortPos(arg.Pos()), why))
		return
	}
	if types.IsInterface(t) {
		fl.noteAny(k, fmt.Sprintf("an untyped value (%s) is added at %s, an informer object or an interface{}", t, fl.a.shortPos(arg.Pos())))
		return
	}
	fl.fm.evidence = append(fl.fm.evidence, famEvidence{k, evidence{t, arg.Pos()}})
}

func (fl *flow) asserted(info *types.Info, k fkey, ta *ast.TypeAssertExpr) {
	if ta.Type == nil {
		fl.noteAny(k, fmt.Sprintf("items are switched on by type at %s", fl.a.shortPos(ta.Pos())))
		return
	}
	t := info.TypeOf(ta.Type)
	if types.IsInterface(t) {
		fl.noteAny(k, fmt.Sprintf("items are asserted to the interface %s at %s", t, fl.a.shortPos(ta.Pos())))
		return
	}
	fl.fm.evidence = append(fl.fm.evidence, famEvidence{k, evidence{t, ta.Pos()}})
}

func (fl *flow) noteAny(k fkey, why string) {
	fl.fm.anyWhy = append(fl.fm.anyWhy, famWhy{k, why})
}

// clientGoVersion returns the version of k8s.io/client-go the package's
// module requires (the version its replacement names, if any).
func clientGoVersion(pkg *packages.Package) (string, error) {
	m := pkg.Module
	if m == nil || m.GoMod == "" {
		return "", fmt.Errorf("no go.mod: the typed work queue needs a module on k8s.io/client-go v0.31.0 or newer")
	}
	data, err := os.ReadFile(m.GoMod)
	if err != nil {
		return "", fmt.Errorf("read go.mod: %w", err)
	}
	f, err := modfile.Parse(m.GoMod, data, nil)
	if err != nil {
		return "", fmt.Errorf("parse go.mod: %w", err)
	}
	version := ""
	for _, r := range f.Require {
		if r.Mod.Path == "k8s.io/client-go" {
			version = r.Mod.Version
		}
	}
	for _, r := range f.Replace {
		if r.Old.Path == "k8s.io/client-go" && r.New.Version != "" {
			version = r.New.Version
		}
	}
	if version == "" {
		return "", fmt.Errorf("go.mod does not require k8s.io/client-go: the typed work queue needs v0.31.0 or newer")
	}
	return version, nil
}
