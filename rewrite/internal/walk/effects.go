package walk

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"github.com/queuefix/queuefix/rewrite/internal/match"
)

// The worker walk (paths.go) follows the worker, the closures it calls and
// the helpers that requeue or forget the item path by path. Everything
// else the item is handed to is summed up here, flow-insensitively, by
// what its body does with the item:
//
//   - requeues or forgets it (a workqueue Add, AddAfter, AddRateLimited or
//     Forget of the item, in the body or anything it calls statically):
//     the walk must then follow that code path by path;
//   - lets it escape: returns it, stores it in a field, map, slice, global
//     or composite literal from which analysed code reads it back into a
//     work queue or which code that is not analysed can reach (stores.go),
//     sends it on a channel, takes its address,
//     hands it to a goroutine, a func literal that is not called at once,
//     or a dependency (or a func value the walk cannot resolve) together
//     with a work queue.
//
// Handing the item to fmt, errors, log, klog, logr, strings, strconv or
// cache's key functions is neither: they format or split it and keep
// nothing. A function of a dependency that is not handed a work queue
// cannot requeue the item on the worker's queue either, so it is not an
// escape; an interface method stands for every implementation among the
// analysed types.
//
// The summary is a union over the body, so it only ever claims too much:
// a helper that might keep the item makes the path an escape (review),
// never a silent Forget.

// An effect is what code does with the item.
type effect struct {
	requeues bool // Add, AddAfter or AddRateLimited of the item, on any work queue
	forgets  bool
	dones    bool      // Done of the item, on any work queue (the done rule)
	escape   string    // how the item escapes, "" when it does not
	at       token.Pos // where it escapes
	returns  bool      // a summarised function returns the item
}

func (e *effect) merge(o effect) {
	e.requeues = e.requeues || o.requeues
	e.forgets = e.forgets || o.forgets
	e.dones = e.dones || o.dones
	e.returns = e.returns || o.returns
	if e.escape == "" && o.escape != "" {
		e.escape, e.at = o.escape, o.at
	}
}

// touches reports whether the code requeues or forgets the item.
func (e effect) touches() bool { return e.requeues || e.forgets }

func (e *effect) escapes(why string, at token.Pos) {
	if e.escape == "" {
		e.escape, e.at = why, at
	}
}

// maxSummaryDepth bounds how deep summaries follow static calls.
const maxSummaryDepth = 8

// A scanner sums up function bodies for one rule's walks (a Walker). It
// is used by one goroutine; the scan it reads is shared.
type scanner struct {
	s     *Scan
	memo  map[summaryKey]effect
	busy  map[summaryKey]bool
	cycle bool // a summary met one still being computed: do not memoize
	depth int

	// Stores of the item (stores.go).
	stores     *storeIndex    // of values, filled on demand
	places     map[place]bool // whether the item escapes from a place
	placeBusy  map[place]bool
	placeDepth int
}

// A summaryKey is a function and which of its parameters hold the item
// (bit i for parameter i, the top bit for the receiver).
type summaryKey struct {
	fn   *types.Func
	lit  *ast.FuncLit // a func value's target, when fn is nil
	mask uint64
}

const recvBit = 1 << 63

func newScanner(s *Scan) *scanner {
	return &scanner{s: s, memo: make(map[summaryKey]effect), busy: make(map[summaryKey]bool), stores: newStoreIndex(s)}
}

// A view is code seen with the variables that hold the item.
type view struct {
	sc      *scanner
	info    *types.Info
	items   map[types.Object]bool
	derived map[types.Object]bool // values computed from the item, when known
	reads   map[ast.Expr]bool     // reads of a place that yield the item (stores.go)
}

// isItem reports whether e is the item itself: a variable holding it,
// such a variable type-asserted or converted to an interface (the dynamic
// value stays the same, so Forget of it forgets the item), or a call of a
// summarised function that returns it.
func (v *view) isItem(e ast.Expr) bool {
	if v.reads[ast.Unparen(e)] {
		return true
	}
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return v.items[v.info.ObjectOf(e)]
	case *ast.TypeAssertExpr:
		return v.isItem(e.X)
	case *ast.CallExpr:
		if isValueConversion(v.info, e) {
			return v.isItem(e.Args[0])
		}
		if v.sc != nil && !match.IsConversion(v.info, e) {
			return v.returnsItem(e)
		}
	}
	return false
}

// isValueConversion reports whether call converts its operand without
// changing its dynamic value: to an interface type, or to its own type.
func isValueConversion(info *types.Info, call *ast.CallExpr) bool {
	tv, ok := info.Types[call.Fun]
	if !ok || !tv.IsType() || len(call.Args) != 1 {
		return false
	}
	if types.IsInterface(tv.Type) {
		return true
	}
	return types.Identical(tv.Type, info.TypeOf(call.Args[0]))
}

// mentionsItem reports whether n uses a variable holding the item.
func (v *view) mentionsItem(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && v.items[v.info.ObjectOf(id)] {
			found = true
		}
		if e, ok := n.(ast.Expr); ok && v.reads[e] {
			found = true
		}
		return !found
	})
	return found
}

// uses returns the effect of n on the item. Statements inside n are
// taken as they come, with no regard to order or paths.
func (v *view) uses(n ast.Node) effect {
	var eff effect
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			if v.mentionsItem(n) {
				eff.escapes("it is handed to a goroutine", n.Pos())
			}
			return false
		case *ast.FuncLit:
			if v.mentionsItem(n.Body) {
				eff.escapes("it is captured by a func literal", n.Pos())
			}
			return false
		case *ast.CallExpr:
			return v.call(n, &eff)
		case *ast.AssignStmt:
			v.assign(n.Lhs, n.Rhs, &eff)
		case *ast.SendStmt:
			if v.isItem(n.Value) {
				eff.escapes("it is sent on a channel", n.Pos())
			}
		case *ast.ReturnStmt:
			for _, r := range n.Results {
				eff.returns = eff.returns || v.isItem(r)
			}
		case *ast.CompositeLit:
			v.literal(n, &eff)
		case *ast.UnaryExpr:
			if n.Op == token.AND && v.isItem(n.X) {
				eff.escapes("its address is taken", n.Pos())
			}
		}
		return true
	})
	return eff
}

// assign records stores of the item from which it may come back out
// (stores.go); a local variable assigned the item is an alias, no store.
func (v *view) assign(lhs, rhs []ast.Expr, eff *effect) {
	for i, l := range lhs {
		if idx, ok := ast.Unparen(l).(*ast.IndexExpr); ok && v.isItem(idx.Index) && v.containerEscapes(idx.X, asKey) {
			eff.escapes("it is stored as a key of "+v.text(idx.X), l.Pos())
		}
		if i >= len(rhs) || len(lhs) != len(rhs) || !v.isItem(rhs[i]) {
			continue
		}
		if !v.isLocal(l) && v.storeEscapes(l) {
			eff.escapes("it is stored in "+v.text(l), l.Pos())
		}
	}
}

// isLocal reports whether e names a variable declared in a function.
func (v *view) isLocal(e ast.Expr) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return false
	}
	if id.Name == "_" {
		return true
	}
	obj, ok := v.info.ObjectOf(id).(*types.Var)
	return ok && obj.Parent() != nil && obj.Parent() != obj.Pkg().Scope()
}

// literal records the item stored in a composite literal where it may
// come back out (stores.go).
func (v *view) literal(lit *ast.CompositeLit, eff *effect) {
	for i, elt := range lit.Elts {
		val := elt
		if kv, ok := elt.(*ast.KeyValueExpr); ok {
			if v.isItem(kv.Key) && v.literalEscapes(lit, i, asKey) {
				eff.escapes("it is stored in a composite literal", elt.Pos())
			}
			val = kv.Value
		}
		if v.isItem(val) && v.literalEscapes(lit, i, asElem) {
			eff.escapes("it is stored in a composite literal", elt.Pos())
		}
	}
}

func (v *view) text(e ast.Node) string {
	return v.sc.s.text(e)
}

// call adds what a call does with the item, and reports whether the
// scan should go on into the call's operands.
func (v *view) call(call *ast.CallExpr, eff *effect) bool {
	if lit, ok := ast.Unparen(call.Fun).(*ast.FuncLit); ok {
		v.bindLit(lit, call)
		eff.merge(v.uses(lit.Body))
		for _, arg := range call.Args {
			eff.merge(v.uses(arg))
		}
		return false
	}
	if name, _ := match.CalledQueueMethod(v.info, call); name != "" {
		if len(call.Args) > 0 && v.mentionsAny(call.Args[0]) {
			queueEffect(name, eff)
		}
		return true
	}
	if v.handsItem(call) {
		eff.merge(v.callee(call))
	} else if v.handsDerived(call) {
		eff.merge(v.derivedTouch(call))
	}
	return true
}

// mentionsAny reports whether e uses the item or a value computed from it.
func (v *view) mentionsAny(e ast.Node) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			obj := v.info.ObjectOf(id)
			found = found || v.items[obj] || v.derived[obj]
		}
		if e, ok := n.(ast.Expr); ok && v.reads[e] {
			found = true
		}
		return !found
	})
	return found
}

// handsDerived reports whether call passes a value computed from the
// item (a key rebuilt from its parts may be requeued).
func (v *view) handsDerived(call *ast.CallExpr) bool {
	return len(v.derived) > 0 && slices.ContainsFunc(call.Args, func(e ast.Expr) bool { return v.mentionsAny(e) })
}

// derivedTouch returns requeues and forgets by an analysed function of
// the values computed from the item that call hands it: such a call may
// requeue the item under a rebuilt key.
func (v *view) derivedTouch(call *ast.CallExpr) effect {
	fn := match.CalleeFunc(v.info, call)
	if fn == nil {
		return effect{}
	}
	var m uint64
	for i, arg := range call.Args {
		if v.mentionsAny(arg) && fn.Signature().Params().Len() > 0 {
			m |= 1 << min(i, fn.Signature().Params().Len()-1, 62)
		}
	}
	s, _ := v.sc.summary(fn, m)
	return effect{requeues: s.requeues, forgets: s.forgets, dones: s.dones}
}

// queueEffect records a workqueue method called on the item.
func queueEffect(name string, eff *effect) {
	switch name {
	case "Forget":
		eff.forgets = true
	case "Done":
		eff.dones = true
	case "Add", "AddAfter", "AddRateLimited":
		eff.requeues = true
	}
}

// bindLit makes the parameters of a func literal called at once that
// receive the item hold it.
func (v *view) bindLit(lit *ast.FuncLit, call *ast.CallExpr) {
	i := 0
	for _, field := range lit.Type.Params.List {
		n := max(len(field.Names), 1)
		for j := 0; j < n; j++ {
			if i < len(call.Args) && len(field.Names) > 0 && v.isItem(call.Args[i]) {
				if obj := v.info.ObjectOf(field.Names[j]); obj != nil {
					v.items[obj] = true
				}
			}
			i++
		}
	}
}

// handsItem reports whether call passes the item as an argument or calls
// a method on it.
func (v *view) handsItem(call *ast.CallExpr) bool {
	if slices.ContainsFunc(call.Args, v.isItem) {
		return true
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	return ok && v.info.Selections[sel] != nil && v.isItem(sel.X)
}

// returnsItem reports whether call is a call of an analysed function,
// handed the item, that returns it.
func (v *view) returnsItem(call *ast.CallExpr) bool {
	fn := match.CalleeFunc(v.info, call)
	if fn == nil || !v.handsItemNoReturn(call) {
		return false
	}
	eff, ok := v.sc.summary(fn, v.mask(fn, call))
	return ok && eff.returns
}

// handsItemNoReturn is handsItem without looking through calls (which
// would recurse through returnsItem).
func (v *view) handsItemNoReturn(call *ast.CallExpr) bool {
	plain := &view{info: v.info, items: v.items, reads: v.reads}
	return plain.handsItem(call)
}

// callee returns the effect of a call that is handed the item.
func (v *view) callee(call *ast.CallExpr) effect {
	var eff effect
	if match.IsConversion(v.info, call) {
		if b, ok := v.info.Uses[match.CalleeIdent(call)].(*types.Builtin); ok && b.Name() == "append" && v.appendEscapes(call) {
			eff.escapes("it is appended to a slice", call.Pos())
		}
		return eff
	}
	if fn := match.CalleeFunc(v.info, call); fn != nil {
		return v.staticCall(fn, call)
	}
	if m := interfaceMethod(v.info, call); m != nil {
		return v.interfaceCall(m, call)
	}
	return v.funcValueCall(call)
}

// funcValueCall sums up a call through a func value over the functions it
// may hold (funcvalues.go).
func (v *view) funcValueCall(call *ast.CallExpr) effect {
	var eff effect
	targets, ok := v.sc.funcTargets(v.info, call.Fun)
	sig, isSig := v.info.TypeOf(call.Fun).Underlying().(*types.Signature)
	if !ok || !isSig {
		if v.handsQueue(call) {
			eff.escapes("it is passed to "+v.text(call.Fun)+" together with a work queue, a func value queuefix cannot follow", call.Pos())
		}
		return eff // code that is not analysed, handed no queue: as a dependency
	}
	mask := v.maskOf(sig, call)
	for _, t := range targets {
		s, ok := v.sc.targetSummary(t, mask)
		if !ok {
			eff.escapes("it is passed to "+v.text(call.Fun)+", which may hold a function whose body is not analysed", call.Pos())
			continue
		}
		s.returns = false
		eff.merge(s)
	}
	if eff.touches() {
		eff = effect{}
		eff.escapes("it is passed to "+v.text(call.Fun)+", a func value that may requeue or forget it", call.Pos())
	}
	return eff
}

// staticCall sums up a call of a known function.
func (v *view) staticCall(fn *types.Func, call *ast.CallExpr) effect {
	var eff effect
	if keepsNothing(fn) {
		return eff
	}
	if s, ok := v.sc.summary(fn, v.mask(fn, call)); ok {
		if s.escape != "" {
			s.escape = s.escape + " in " + fn.Name()
		}
		s.returns = false
		return s
	}
	if v.handsQueue(call) {
		eff.escapes("it is passed to "+v.text(call.Fun)+" together with a work queue", call.Pos())
	}
	return eff
}

// interfaceCall sums up an interface method call over the analysed
// methods that implement it.
func (v *view) interfaceCall(m *types.Func, call *ast.CallExpr) effect {
	var eff effect
	iface := v.info.TypeOf(ast.Unparen(call.Fun).(*ast.SelectorExpr).X)
	for _, impl := range v.sc.implementations(iface, m.Name()) {
		if s, ok := v.sc.summary(impl, v.mask(m, call)); ok {
			s.returns = false
			eff.merge(s)
		}
	}
	if eff.touches() {
		eff.escapes("it is passed to "+v.text(call.Fun)+", an interface method whose implementations requeue or forget it", call.Pos())
	}
	if eff.escape == "" && v.handsQueue(call) {
		eff.escapes("it is passed to "+v.text(call.Fun)+" together with a work queue", call.Pos())
	}
	return eff
}

// handsQueue reports whether call passes a work queue, or is a method
// of one.
func (v *view) handsQueue(call *ast.CallExpr) bool {
	for _, arg := range call.Args {
		if match.HasQueueMethod(v.info.TypeOf(arg), "Done") {
			return true
		}
	}
	return false
}

// mask says which of fn's parameters receive the item at call.
func (v *view) mask(fn *types.Func, call *ast.CallExpr) uint64 {
	return v.maskOf(fn.Signature(), call)
}

// maskOf says which parameters of a call of sig receive the item.
func (v *view) maskOf(sig *types.Signature, call *ast.CallExpr) uint64 {
	var m uint64
	params := sig.Params()
	for i, arg := range call.Args {
		if !v.isItem(arg) || params.Len() == 0 {
			continue
		}
		m |= 1 << min(i, params.Len()-1, 62)
	}
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && v.info.Selections[sel] != nil && v.isItem(sel.X) {
		m |= recvBit
	}
	return m
}

// interfaceMethod returns the interface method a call calls, or nil.
func interfaceMethod(info *types.Info, call *ast.CallExpr) *types.Func {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	s := info.Selections[sel]
	if s == nil || s.Kind() != types.MethodVal || !types.IsInterface(s.Recv()) {
		return nil
	}
	fn, _ := s.Obj().(*types.Func)
	return fn
}

// keepsNothing reports whether fn only formats, logs or splits what it
// is handed.
func keepsNothing(fn *types.Func) bool {
	pkg := fn.Pkg()
	if pkg == nil {
		return true
	}
	switch pkg.Path() {
	case "fmt", "errors", "log", "log/slog", "strings", "strconv",
		"k8s.io/klog", "k8s.io/klog/v2", "github.com/go-logr/logr",
		"k8s.io/apimachinery/pkg/util/runtime":
		return true
	}
	if match.IsPkg(pkg, match.CachePath) {
		switch fn.Name() {
		case "SplitMetaNamespaceKey", "MetaNamespaceKeyFunc", "DeletionHandlingMetaNamespaceKeyFunc", "ObjectToName":
			return true
		}
	}
	return false
}

// summary returns the effect of fn's body on the item held by the
// parameters in mask, and false when fn's body is not analysed. A
// recursive call counts as nothing while fn is being summed up: the outer
// summary covers its body anyway; such partial results are not kept.
func (sc *scanner) summary(fn *types.Func, mask uint64) (effect, bool) {
	fn = fn.Origin()
	decl, fi := sc.decl(fn)
	if decl == nil {
		return effect{}, false
	}
	key := summaryKey{fn: fn, mask: mask}
	if e, ok := sc.memo[key]; ok {
		return e, true
	}
	if sc.busy[key] {
		sc.cycle = true
		return effect{}, true
	}
	if sc.depth >= maxSummaryDepth {
		return effect{escape: "it is handed down calls too deep to follow", at: decl.Pos()}, true
	}
	sc.busy[key], sc.depth = true, sc.depth+1
	outer := sc.cycle
	sc.cycle = false
	eff := sc.sumFunc(fi, decl.Recv, decl.Type, decl.Body, mask)
	if !sc.cycle {
		sc.memo[key] = eff
	}
	sc.cycle = sc.cycle || outer
	delete(sc.busy, key)
	sc.depth--
	return eff, true
}

// decl returns fn's declaration in an analysed file, or nil.
func (sc *scanner) decl(fn *types.Func) (*ast.FuncDecl, *File) {
	fi := sc.s.fileOf(fn.Pos())
	if fi == nil {
		return nil, nil
	}
	decl := funcDeclAt(fi.Syntax, fn.Pos())
	if decl == nil || decl.Body == nil {
		return nil, nil
	}
	return decl, fi
}

// sumFunc sums up one function's body, with the parameters in mask (and
// the receiver) holding the item.
func (sc *scanner) sumFunc(fi *File, recv *ast.FieldList, ft *ast.FuncType, body *ast.BlockStmt, mask uint64) effect {
	v := &view{sc: sc, info: fi.Pkg.TypesInfo, items: make(map[types.Object]bool), derived: make(map[types.Object]bool)}
	if mask&recvBit != 0 && recv != nil {
		for _, n := range recv.List[0].Names {
			v.items[v.info.ObjectOf(n)] = true
		}
	}
	i := 0
	for _, field := range ft.Params.List {
		for j := 0; j < max(len(field.Names), 1); j++ {
			if mask&(1<<min(i, 62)) != 0 && len(field.Names) > 0 {
				v.items[v.info.ObjectOf(field.Names[j])] = true
			}
			i++
		}
	}
	v.aliases(body)
	return v.uses(body)
}

// aliases adds the local variables that get the item, until none is new.
func (v *view) aliases(body ast.Node) {
	for changed := true; changed; {
		changed = false
		add := func(obj types.Object) {
			if obj != nil && !v.items[obj] {
				v.items[obj], changed = true, true
			}
		}
		ast.Inspect(body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				if len(n.Rhs) == 1 && len(n.Lhs) >= 1 && v.isItemNoCall(n.Rhs[0]) && v.isLocal(n.Lhs[0]) {
					add(v.info.ObjectOf(ast.Unparen(n.Lhs[0]).(*ast.Ident)))
				}
				for i := range n.Lhs {
					if len(n.Lhs) == len(n.Rhs) && v.isItemNoCall(n.Rhs[i]) && v.isLocal(n.Lhs[i]) {
						add(v.info.ObjectOf(ast.Unparen(n.Lhs[i]).(*ast.Ident)))
					}
				}
				v.derive(n, &changed)
			case *ast.TypeSwitchStmt:
				if v.switchesOnItem(n) {
					for _, c := range n.Body.List {
						add(v.info.Implicits[c])
					}
				}
			}
			return true
		})
	}
}

// derive adds the local variables an assignment computes from the item.
func (v *view) derive(as *ast.AssignStmt, changed *bool) {
	if !slices.ContainsFunc(as.Rhs, func(e ast.Expr) bool { return v.mentionsAny(e) }) {
		return
	}
	for _, l := range as.Lhs {
		if id, ok := ast.Unparen(l).(*ast.Ident); ok && v.isLocal(l) && id.Name != "_" {
			if obj := v.info.ObjectOf(id); obj != nil && !v.items[obj] && !v.derived[obj] {
				v.derived[obj], *changed = true, true
			}
		}
	}
}

// isItemNoCall is isItem without summarising calls: aliases runs before
// the body's own summary is known.
func (v *view) isItemNoCall(e ast.Expr) bool {
	plain := &view{info: v.info, items: v.items, reads: v.reads}
	return plain.isItem(e)
}

// switchesOnItem reports whether a type switch is on the item.
func (v *view) switchesOnItem(s *ast.TypeSwitchStmt) bool {
	var x ast.Expr
	switch a := s.Assign.(type) {
	case *ast.AssignStmt:
		if len(a.Rhs) == 1 {
			x = a.Rhs[0]
		}
	case *ast.ExprStmt:
		x = a.X
	}
	ta, ok := ast.Unparen(x).(*ast.TypeAssertExpr)
	return ok && v.isItemNoCall(ta.X)
}

// implementations returns the methods of analysed named types (or
// pointers to them) that implement method name of iface.
func (sc *scanner) implementations(iface types.Type, name string) []*types.Func {
	it, ok := iface.Underlying().(*types.Interface)
	if !ok {
		return nil
	}
	var out []*types.Func
	for _, m := range sc.methodsNamed(name) {
		recv := m.Signature().Recv().Type()
		if types.Implements(recv, it) || types.Implements(types.NewPointer(recv), it) {
			out = append(out, m)
		}
	}
	return out
}

// methodsNamed returns the declared methods called name in the analysed
// files, in file order.
func (sc *scanner) methodsNamed(name string) []*types.Func {
	return sc.s.impls()[name]
}

// methodsByName indexes the declared methods of the analysed files by
// name, in file order.
func (s *Scan) methodsByName() map[string][]*types.Func {
	impls := make(map[string][]*types.Func)
	for _, file := range s.sortedFiles() {
		fi := s.files[file]
		for _, d := range fi.Syntax.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil {
				continue
			}
			if fn, ok := fi.Pkg.TypesInfo.Defs[fd.Name].(*types.Func); ok {
				impls[fn.Name()] = append(impls[fn.Name()], fn)
			}
		}
	}
	return impls
}
