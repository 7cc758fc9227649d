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

// itemFlow is the choice of T for a package and the edits it forces.
type itemFlow struct {
	t       types.Type // nil: any
	reason  string     // why T is any
	cause   *Cause     // the type error that made T any, quoted last
	edits   []itemEdit
	blocker *blocker
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

// flow is the state of the search for T in one package.
type flow struct {
	a        *index
	tp       *typedPkg
	items    map[types.Object]bool // variables that hold queue items
	evidence []evidence
	anyWhy   string
}

type evidence struct {
	t   types.Type
	pos token.Pos
}

// itemFlow chooses T for the package and plans the item edits.
func (a *index) itemFlow(tp *typedPkg) itemFlow {
	fl := &flow{a: a, tp: tp, items: make(map[types.Object]bool)}
	files := a.pkgFiles(tp.pkg)
	for _, fi := range files {
		fl.findGets(fi)
		fl.findOverrides(fi)
	}
	fl.findMirrors(files)
	for changed := true; changed; {
		changed = false
		for _, fi := range files {
			changed = fl.propagate(fi) || changed
		}
	}
	for _, fi := range files {
		fl.collect(fi)
	}
	t, why := fl.choose()
	if tp.exported != "" {
		t, why = nil, "part of the exported API ("+tp.exported+"): any keeps it assignable to and from the untyped queue importers hold"
	}
	if t == nil {
		return itemFlow{reason: why}
	}
	for _, fi := range files {
		if fi.generated {
			continue
		}
		if !canName(fi, t) && fileUses(tp, fi) {
			return itemFlow{reason: fmt.Sprintf("the items are %s, which %s does not import", t, fi.pkg.Fset.File(fi.syntax.FileStart).Name())}
		}
	}
	ie, b := fl.itemEdits(files, t)
	return itemFlow{t: t, edits: ie, blocker: b}
}

func fileUses(tp *typedPkg, fi *fileInfo) bool {
	for _, u := range tp.uses {
		if u.fi == fi {
			return true
		}
	}
	return false
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
			if !fl.items[match.IdentObj(info, arg)] && (!isConcrete(info, arg) || !fl.flowsToQueue(params[i])) {
				continue
			}
			if !fl.onlyItems(params[i], i) {
				continue
			}
			fl.items[params[i]] = true
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
				if i >= len(call.Args) || !fl.items[match.IdentObj(info, call.Args[i])] && !isConcrete(info, call.Args[i]) {
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

// flowsToQueue reports whether p is the item argument of an untyped
// queue call somewhere in the package.
func (fl *flow) flowsToQueue(p *types.Var) bool {
	found := false
	for _, fi := range fl.a.pkgFiles(fl.tp.pkg) {
		info := fl.info(fi)
		ast.Inspect(fi.syntax, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if ok && len(call.Args) > 0 && untypedCall(info, call) != "" && match.IdentObj(info, call.Args[0]) == p {
				found = true
			}
			return !found
		})
	}
	return found
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

// collect records what the package adds and what it asserts items to.
func (fl *flow) collect(fi *fileInfo) {
	info := fl.info(fi)
	ast.Inspect(fi.syntax, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			switch untypedCall(info, n) {
			case "Add", "AddRateLimited", "AddAfter":
				fl.added(info, n.Args[0])
				return true
			}
			if fn := match.CalleeFunc(info, n); fn != nil && isOverride(fn) && isAddName(fn.Name()) && len(n.Args) > 0 {
				fl.added(info, n.Args[0])
				return true
			}
			for i, p := range fl.ownParams(fi, n) {
				if p != nil && fl.items[p] && i < len(n.Args) {
					fl.added(info, n.Args[i])
				}
			}
		case *ast.TypeAssertExpr:
			if fl.items[match.IdentObj(info, n.X)] {
				fl.asserted(info, n)
			}
		}
		return true
	})
}

func (fl *flow) added(info *types.Info, arg ast.Expr) {
	if fl.items[match.IdentObj(info, arg)] {
		return // an item requeued
	}
	t := types.Default(info.TypeOf(arg))
	if types.IsInterface(t) {
		fl.noteAny(fmt.Sprintf("an untyped value (%s) is added at %s, an informer object or an interface{}", t, fl.a.shortPos(arg.Pos())))
		return
	}
	fl.evidence = append(fl.evidence, evidence{t, arg.Pos()})
}

func (fl *flow) asserted(info *types.Info, ta *ast.TypeAssertExpr) {
	if ta.Type == nil {
		fl.noteAny(fmt.Sprintf("items are switched on by type at %s", fl.a.shortPos(ta.Pos())))
		return
	}
	t := info.TypeOf(ta.Type)
	if types.IsInterface(t) {
		fl.noteAny(fmt.Sprintf("items are asserted to the interface %s at %s", t, fl.a.shortPos(ta.Pos())))
		return
	}
	fl.evidence = append(fl.evidence, evidence{t, ta.Pos()})
}

func (fl *flow) noteAny(why string) {
	if fl.anyWhy == "" {
		fl.anyWhy = why
	}
}

// choose returns T, or nil and why T is any.
func (fl *flow) choose() (types.Type, string) {
	if fl.anyWhy != "" {
		return nil, fl.anyWhy
	}
	if len(fl.evidence) == 0 {
		return nil, "no Add or assertion in the package says what the items are"
	}
	first := fl.evidence[0]
	for _, e := range fl.evidence[1:] {
		if !types.Identical(e.t, first.t) {
			return nil, fmt.Sprintf("items are mixed: %s at %s, %s at %s", first.t, fl.a.shortPos(first.pos), e.t, fl.a.shortPos(e.pos))
		}
	}
	return first.t, ""
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
