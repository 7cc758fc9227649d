package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ast/astutil"
	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/ssa"

	"github.com/queuefix/queuefix/rewrite/internal/match"
)

// Rule addratelimited: an AddRateLimited call reached only from informer
// event handlers becomes Add.
//
//	AddFunc: func(obj interface{}) { c.enqueue(obj) },
//	...
//	func (c *Controller) enqueue(obj interface{}) {
//		key, _ := cache.MetaNamespaceKeyFunc(obj)
//		c.queue.AddRateLimited(key)
//	}
//
// =>
//
//	c.queue.Add(key)
//
// The rule declines, and reports for review, when the call is also reached
// from a path that is not an event handler (a retry, a resync), sits in a
// method that implements the queue itself, is made on a receiver without
// Add, is a method value, or is in a generated or vendored file. A
// //queuefix:ignore directive with a reason leaves the call alone.
//
// The rewrite is sound because Add takes the same item and only skips the
// rate limiter's When, which is what counts the item's failures: a
// reaction to a change is not a failure.
const ruleAddRateLimited = RuleAddRateLimited

// A site is one AddRateLimited selector, merged over package variants.
type site struct {
	pkg     *packages.Package
	fi      *fileInfo
	sel     *ast.SelectorExpr
	call    bool // called, not taken as a method value
	recv    types.Type
	fn      *ssa.Function // enclosing function (in the first variant that reached it)
	reached bool          // from an event handler
	other   *ssa.Function // the function through which another path reaches it

	path    []ast.Node // from the file down to sel, until the site is reached
	generic bool       // in a generic function, or a method of a generic type

	// For an AddWithOpts site: the options literal and its RateLimited: true.
	opts    *ast.CompositeLit
	limited *ast.KeyValueExpr
}

// what names the site's call in messages by its own text:
// c.queue.AddRateLimited, or pq.AddWithOpts with RateLimited: true.
func (a *index) what(s *site) string {
	if s.limited != nil {
		return a.text(s.sel) + " with RateLimited: true"
	}
	return a.text(s.sel)
}

// addRateLimited gives every site outside test files one verdict: the
// sites event handlers reach are judged for a change; the others are kept,
// with the reason, except an adapter's Add (see judgeUnreached). It
// returns the verdicts and the directives that left a site alone.
func (a *graph) addRateLimited(scanned []*site) ([]Finding, []*ignore) {
	var out []Finding
	var used []*ignore
	for _, s := range a.reachSites(scanned) {
		var f Finding
		var ig *ignore
		switch {
		case s.reached:
			f, ig = a.judgeSite(s)
		case a.inTestFile(s.sel.Pos()):
			continue // tests call helpers directly; no handler reaches this
		default:
			f, ig = a.judgeUnreached(s)
		}
		out = append(out, f)
		if ig != nil {
			used = append(used, ig)
		}
	}
	return out, used
}

// scanSites returns the AddRateLimited (and rate-limited AddWithOpts)
// selectors of all target files, once per package variant. It needs only
// syntax and types, so it runs while the call graph is built.
func (a *index) scanSites() []*site {
	var out []*site
	for _, pkg := range a.pkgs {
		var using map[*token.File]bool // read once the package owns a file
		for _, f := range pkg.Syntax {
			tf := a.fset.File(f.FileStart)
			fi := a.files[tf.Name()]
			if fi == nil || fi.syntax != f {
				continue
			}
			if using == nil {
				using = match.FilesUsing(a.fset, pkg.TypesInfo, "AddRateLimited", "AddWithOpts")
			}
			if !using[tf] {
				continue
			}
			out = append(out, a.fileSites(pkg, fi)...)
		}
	}
	return out
}

// reachSites finds each scanned site's function in the call graph and
// what reaches it, and merges the package variants of a site into one.
func (a *graph) reachSites(scanned []*site) []*site {
	byPos := make(map[token.Pos]*site)
	var order []*site
	for _, s := range scanned {
		fn := a.ssaFunc(s.pkg, s.path)
		s.fn, s.path, s.generic = fn, nil, isGenericCode(fn)
		pos, bodies := s.sel.Sel.Pos(), a.bodiesOf(fn)
		if f := least(bodies, a.handler.Reached, func(f *ssa.Function) Chain { return a.handlerChain(f, pos) }); f != nil {
			s.reached, s.fn = true, f
		}
		s.other = least(bodies, a.other.Reached, func(f *ssa.Function) Chain { return a.otherChain(f, pos) })
		if old := byPos[s.sel.Sel.Pos()]; old != nil {
			old.merge(s)
			continue
		}
		byPos[s.sel.Sel.Pos()] = s
		order = append(order, s)
	}
	return order
}

// isGenericCode reports whether fn, or the function its closure is in,
// has type parameters of its own or of its receiver.
func isGenericCode(fn *ssa.Function) bool {
	if fn == nil {
		return false
	}
	obj, ok := outermost(fn).Object().(*types.Func)
	if !ok {
		return false
	}
	sig := obj.Signature()
	return sig.TypeParams().Len() > 0 || sig.RecvTypeParams().Len() > 0
}

// least returns the function of fns that is reached and whose chain sorts
// first, or nil: of a generic site's instantiations, always the same one.
func least(fns []*ssa.Function, reached func(*ssa.Function) bool, chain func(*ssa.Function) Chain) *ssa.Function {
	var best *ssa.Function
	var bestKey string
	for _, f := range fns {
		if !reached(f) {
			continue
		}
		if k := chainKey(chain(f)); best == nil || k < bestKey {
			best, bestKey = f, k
		}
	}
	return best
}

// chainKey orders chains by their frames.
func chainKey(c Chain) string {
	var b strings.Builder
	for _, f := range c.Frames {
		fmt.Fprintf(&b, "%s@%s:%d:%d ", f.Func, f.Pos.Filename, f.Pos.Line, f.Pos.Column)
	}
	return b.String()
}

func (s *site) merge(t *site) {
	if !s.reached && t.reached {
		s.reached, s.fn = true, t.fn
	}
	if s.other == nil {
		s.other = t.other
	}
}

// fileSites returns the AddRateLimited selectors in fi, and each
// AddWithOpts that sets RateLimited (see priority.go).
func (a *index) fileSites(pkg *packages.Package, fi *fileInfo) []*site {
	var out []*site
	calls := make(map[*ast.SelectorExpr]*ast.CallExpr)
	ast.Inspect(fi.syntax, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
				calls[sel] = call
			}
		}
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		var s *site
		switch sel.Sel.Name {
		case "AddRateLimited":
			if recv, ok := a.queueReceiver(pkg.TypesInfo, sel); ok {
				s = &site{recv: recv}
			}
		case "AddWithOpts":
			s = prioritySite(pkg.TypesInfo, sel, calls[sel])
		}
		if s == nil {
			return true
		}
		s.path, _ = astutil.PathEnclosingInterval(fi.syntax, sel.Pos(), sel.End())
		s.pkg, s.fi, s.sel, s.call = pkg, fi, sel, calls[sel] != nil
		out = append(out, s)
		return true
	})
	return out
}

// queueReceiver reports whether sel selects a work queue's AddRateLimited
// and returns the receiver's static type. A method declared by a user
// interface counts when a workqueue rate-limiting queue satisfies that
// interface (the value may well be one); a user type's own method does not.
func (a *index) queueReceiver(info *types.Info, sel *ast.SelectorExpr) (types.Type, bool) {
	selection := info.Selections[sel]
	if selection == nil {
		return nil, false
	}
	fn, ok := selection.Obj().(*types.Func)
	if !ok {
		return nil, false
	}
	recv := selection.Recv()
	if match.IsQueueMethod(fn, "AddRateLimited") {
		return recv, true
	}
	iface, ok := recv.Underlying().(*types.Interface)
	return recv, ok && a.satisfiedByQueue(iface)
}

// satisfiedByQueue reports whether a workqueue rate-limiting interface in
// the program implements iface: the untyped one, or the typed one at the
// item type iface's AddRateLimited takes.
func (a *index) satisfiedByQueue(iface *types.Interface) bool {
	for _, p := range a.apiPkgs(match.WorkqueuePath) {
		obj := p.Scope().Lookup("RateLimitingInterface")
		if obj != nil && types.Implements(obj.Type(), iface) {
			return true
		}
		if typed := typedQueueFor(p, iface); typed != nil && types.Implements(typed, iface) {
			return true
		}
	}
	return false
}

// typedQueueFor returns TypedRateLimitingInterface of package p at the
// item type of iface's AddRateLimited, or nil.
func typedQueueFor(p *types.Package, iface *types.Interface) types.Type {
	generic, ok := p.Scope().Lookup("TypedRateLimitingInterface").(*types.TypeName)
	if !ok {
		return nil
	}
	for i := range iface.NumMethods() {
		m := iface.Method(i)
		if m.Name() != "AddRateLimited" || m.Signature().Params().Len() != 1 {
			continue
		}
		t, err := types.Instantiate(nil, generic.Type(), []types.Type{m.Signature().Params().At(0).Type()}, true)
		if err == nil {
			return t
		}
	}
	return nil
}

// judgeSite decides what to do with a site reached from an event handler,
// and returns the directive that left it alone, if one did.
func (a *graph) judgeSite(s *site) (Finding, *ignore) {
	f := Finding{
		Pos:    a.fset.Position(s.sel.Sel.Pos()),
		Rule:   ruleAddRateLimited,
		Status: Review,
		Chains: []Chain{a.handlerChain(s.fn, s.sel.Sel.Pos())},
	}
	if ig := ignoreSite(s.fi, &f); ig != nil {
		return f, ig
	}
	if reason := a.declineReason(s); reason != "" {
		f.Message, f.Cause = reason, s.fi.err() // the file's error, when that is the reason
		if s.other != nil {
			f.Chains = append(f.Chains, a.otherChain(s.other, s.sel.Sel.Pos()))
		}
		return f, nil
	}
	f.Status = Change
	f.checks = []editCheck{{s.pkg.Types, s.sel.Pos()}}
	if s.limited != nil {
		return a.dropRateLimited(s, f), nil
	}
	f.Message = fmt.Sprintf("%s is reached only from event handlers: call %s instead (rate limiting is for retries after errors)",
		a.what(s), a.text(s.sel.X)+".Add")
	f.Fix = FixAdd
	f.Edits = []Edit{a.replace(s.fi, s.sel.Sel.Pos(), s.sel.Sel.End(), "Add")}
	return f, nil
}

// declineReason returns why the site must be left to a human, or "".
// A file that cannot be read again is the reason: its error is the
// finding's cause.
func (a *graph) declineReason(s *site) string {
	what, name := a.what(s), funcName(s.fn)
	switch {
	case s.fi.err() != nil:
		return "cannot rewrite " + what + ": "
	case s.fi.generated:
		return what + " is reached from an event handler, in a generated file: fix the generator; left alone"
	case s.fi.vendored:
		return what + " is reached from an event handler, in vendor/: fix it upstream; left alone"
	case a.isAdapterAdd(s.fn):
		return a.adapterAddReason(s)
	case a.isQueueAdapter(s.fn):
		return fmt.Sprintf("%s is inside %s, a method of a type that implements the work queue itself: "+
			"rewriting it to Add could make Add call itself; left alone", what, funcName(outermost(s.fn)))
	case s.limited == nil && !match.HasMethodNamed(s.recv, "Add"):
		return fmt.Sprintf("%s is reached from an event handler, but its receiver's type %s has no Add method: "+
			"add Add to it or call Add on the queue; left alone", what, types.TypeString(s.recv, match.Qualifier(s.pkg.Types)))
	case s.generic:
		return fmt.Sprintf("%s is in generic code (%s): queuefix does not see every path into instantiated generic code; "+
			"if only event handlers reach it, call Add by hand; left alone", what, name)
	case s.other != nil:
		entry := a.other.Root(s.other)
		from := "and also from " + a.entryName(s) + ", which is not one"
		if _, escaped := a.escaped[entry]; entry == s.other && !escaped {
			from = "and " + name + " is an entry point of its own"
		}
		return fmt.Sprintf("%s in %s is reached from an event handler %s (a retry, a resync, an API): "+
			"call Add at the handler call sites instead; left alone%s", what, name, from, a.openNote(entry))
	case !s.call:
		return what + " is taken as a method value reached from an event handler: " +
			"call Add where it is called; left alone"
	}
	return ""
}

// judgeUnreached gives a site no event handler reaches its verdict. It is
// kept, with the reason, unless it is an adapter's Add: whoever calls that
// Add pays the rate limiter, and the callers may well be in dependencies
// (controller-runtime's handlers call Add on the queue they are handed).
// It returns the directive that left the site alone, if one did.
func (a *graph) judgeUnreached(s *site) (Finding, *ignore) {
	f := Finding{Pos: a.fset.Position(s.sel.Sel.Pos()), Rule: ruleAddRateLimited, Status: Keep}
	if s.other != nil {
		f.Chains = []Chain{a.otherChain(s.other, s.sel.Sel.Pos())}
	}
	if !a.isAdapterAdd(s.fn) {
		f.Message = a.keepReason(s)
		return f, nil
	}
	f.Status, f.Message = Review, a.adapterAddReason(s)
	return f, ignoreSite(s.fi, &f)
}

// keepReason says why a site no event handler reaches is kept: a retry in
// a worker, reached from other entry points only (one is named), or
// reached from nothing at all.
func (a *graph) keepReason(s *site) string {
	what := a.what(s)
	if s.other == nil {
		where := ""
		if s.fn != nil {
			where = ", " + funcName(outermost(s.fn))
		}
		closed := ""
		if a.closed {
			closed = " (with -closed, exported functions nothing analysed calls are no entry points)"
		}
		return fmt.Sprintf("%s is reached from no entry point: nothing analysed calls the function it is in%s%s; kept", what, where, closed)
	}
	if w := a.workerOn(s.other); w != nil {
		return fmt.Sprintf("%s is a retry in the worker %s, which no event handler reaches; kept", what, funcName(w))
	}
	entry := a.other.Root(s.other)
	if _, escaped := a.escaped[entry]; entry == s.other && !escaped {
		return fmt.Sprintf("%s is in %s, an entry point that is not an event handler, and no event handler reaches it; kept%s",
			what, funcName(s.other), a.openKeepNote(entry))
	}
	return fmt.Sprintf("%s is reached from no event handler, only from other entry points such as %s; kept%s",
		what, a.entryName(s), a.openKeepNote(entry))
}

// entryName names the entry point of the site's other chain: the function
// nothing analysed calls, or the dependency a func value is handed to
// followed by that func (wait.Until → ctrl.(*C).resync).
func (a *graph) entryName(s *site) string {
	fr := a.otherChain(s.other, s.sel.Sel.Pos()).Frames
	if _, escaped := a.escaped[a.other.Root(s.other)]; escaped && len(fr) > 1 {
		return fr[0].Func + " → " + fr[1].Func
	}
	return fr[0].Func
}

// openNote suggests -closed when entry is an entry point only because code
// that is not analysed might call it.
func (a *graph) openNote(entry *ssa.Function) string {
	if a.imported[entry] {
		return a.importedNote(entry)
	}
	if entry == nil || !a.open[entry] {
		return ""
	}
	return fmt.Sprintf(" (nothing analysed calls %s: if nothing outside these packages does either, run queuefix with -closed)", funcName(entry))
}

// openKeepNote says when a kept site's entry is one only because code that
// is not analysed might call it: -closed would not change the verdict.
func (a *graph) openKeepNote(entry *ssa.Function) string {
	if a.imported[entry] {
		return a.importedNote(entry)
	}
	if entry == nil || !a.open[entry] {
		return ""
	}
	return fmt.Sprintf(" (nothing analysed calls %s: with -closed it is no entry point)", funcName(entry))
}

// importedNote says why an exported function the package calls is an
// entry point when one package is analysed alone.
func (a *graph) importedNote(entry *ssa.Function) string {
	return fmt.Sprintf(" (%s is exported: packages that import this one may call it, and one package alone does not show them; queuefix -diff on the whole module decides)", funcName(entry))
}

// workerOn returns the first function on the other chain to fn that takes
// items from a work queue (calls its Get), or nil.
func (a *graph) workerOn(fn *ssa.Function) *ssa.Function {
	var fns []*ssa.Function
	for _, e := range a.other.Chain(fn) {
		fns = append(fns, e.Caller.Func)
	}
	for _, f := range append(fns, fn) {
		if callsQueueGet(f) {
			return f
		}
	}
	return nil
}

// callsQueueGet reports whether fn calls a work queue's Get.
func callsQueueGet(fn *ssa.Function) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(ssa.CallInstruction)
			if ok && match.IsQueueMethod(calledMethod(call.Common()), "Get") {
				return true
			}
		}
	}
	return false
}

// calledMethod returns the method a call calls, statically or through an
// interface, or nil.
func calledMethod(c *ssa.CallCommon) *types.Func {
	if c.IsInvoke() {
		return c.Method
	}
	if callee := c.StaticCallee(); callee != nil {
		obj, _ := callee.Object().(*types.Func)
		return obj
	}
	return nil
}

// isAdapterAdd reports whether fn is inside the Add method of a type that
// implements a work queue.
func (a *graph) isAdapterAdd(fn *ssa.Function) bool {
	return fn != nil && outermost(fn).Name() == "Add" && a.isQueueAdapter(fn)
}

// adapterAddReason explains an AddRateLimited inside an adapter's Add.
func (a *graph) adapterAddReason(s *site) string {
	return fmt.Sprintf("%s is inside %s, the Add of a type that implements the work queue: every caller of that Add "+
		"pays the rate limiter, code in dependencies that calls Add on a queue it is handed included (controller-runtime's "+
		"event handlers do); unless that is a deliberate debounce, "+
		"call Add on the queue it wraps (rewriting it here could make Add call itself); left alone",
		a.what(s), funcName(outermost(s.fn)))
}

// isQueueAdapter reports whether fn (or the method enclosing it) is a
// method of a target type that itself implements a work queue.
func (a *graph) isQueueAdapter(fn *ssa.Function) bool {
	if fn == nil {
		return false
	}
	fn = outermost(fn)
	recv := fn.Signature.Recv()
	if recv == nil {
		return false
	}
	t := recv.Type()
	for _, m := range []string{"Add", "Get", "Done", "AddRateLimited"} {
		if !match.HasMethodNamed(t, m) {
			return false
		}
	}
	return true
}

// outermost returns the named function that encloses fn's closures.
func outermost(fn *ssa.Function) *ssa.Function {
	for fn.Parent() != nil {
		fn = fn.Parent()
	}
	return fn
}
