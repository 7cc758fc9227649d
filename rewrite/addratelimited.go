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

// what names the site's call in messages.
func (s *site) what() string {
	if s.limited != nil {
		return "AddWithOpts with RateLimited: true"
	}
	return "AddRateLimited"
}

func (a *analysis) addRateLimited(scanned []*site) []Finding {
	var out []Finding
	for _, s := range a.reachSites(scanned) {
		if !s.reached {
			continue // not an event handler's business
		}
		out = append(out, a.judgeSite(s))
	}
	return out
}

// scanSites returns the AddRateLimited (and rate-limited AddWithOpts)
// selectors of all target files, once per package variant. It needs only
// syntax and types, so it runs while the call graph is built.
func (a *analysis) scanSites() []*site {
	var out []*site
	for _, pkg := range a.pkgs {
		for _, f := range pkg.Syntax {
			fi := a.files[a.fset.File(f.FileStart).Name()]
			if fi == nil || fi.syntax != f {
				continue
			}
			out = append(out, a.fileSites(pkg, fi)...)
		}
	}
	return out
}

// reachSites finds each scanned site's function in the call graph and
// what reaches it, and merges the package variants of a site into one.
func (a *analysis) reachSites(scanned []*site) []*site {
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
func (a *analysis) fileSites(pkg *packages.Package, fi *fileInfo) []*site {
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
func (a *analysis) queueReceiver(info *types.Info, sel *ast.SelectorExpr) (types.Type, bool) {
	selection := info.Selections[sel]
	if selection == nil {
		return nil, false
	}
	fn, ok := selection.Obj().(*types.Func)
	if !ok {
		return nil, false
	}
	recv := selection.Recv()
	if isQueueMethod(fn, "AddRateLimited") {
		return recv, true
	}
	iface, ok := recv.Underlying().(*types.Interface)
	return recv, ok && a.satisfiedByQueue(iface)
}

// satisfiedByQueue reports whether a workqueue rate-limiting interface in
// the program implements iface.
func (a *analysis) satisfiedByQueue(iface *types.Interface) bool {
	for _, p := range a.apiPkgs(workqueuePath) {
		obj := p.Scope().Lookup("RateLimitingInterface")
		if obj != nil && types.Implements(obj.Type(), iface) {
			return true
		}
	}
	return false
}

// judgeSite decides what to do with a site reached from an event handler.
func (a *analysis) judgeSite(s *site) Finding {
	f := Finding{
		Pos:    a.fset.Position(s.sel.Sel.Pos()),
		Rule:   ruleAddRateLimited,
		Status: Review,
		Chains: []Chain{a.handlerChain(s.fn, s.sel.Sel.Pos())},
	}
	if ig := s.fi.ignoreFor(f.Pos.Line); ig != nil && ig.reason != "" {
		a.use(ig)
		f.Status, f.Message = Ignored, "left alone by //queuefix:ignore: "+ig.reason
		return f
	}
	if reason := a.declineReason(s); reason != "" {
		f.Message = reason
		if s.other != nil {
			f.Chains = append(f.Chains, a.otherChain(s.other, s.sel.Sel.Pos()))
		}
		return f
	}
	f.Status = Change
	f.checks = []editCheck{{s.pkg.Types, s.sel.Pos()}}
	if s.limited != nil {
		return a.dropRateLimited(s, f)
	}
	f.Message = "AddRateLimited in an event handler: use Add (rate limiting is for retries after errors)"
	f.Edits = []Edit{a.replace(s.fi, s.sel.Sel.Pos(), s.sel.Sel.End(), "Add")}
	return f
}

// declineReason returns why the site must be left to a human, or "".
func (a *analysis) declineReason(s *site) string {
	name := funcName(s.fn)
	switch {
	case s.fi.err() != nil:
		return fmt.Sprintf("cannot rewrite: %v", s.fi.err())
	case s.fi.generated:
		return s.what() + " reached from an event handler, in a generated file: fix the generator"
	case s.fi.vendored:
		return s.what() + " reached from an event handler, in vendor/: fix it upstream"
	case a.isQueueAdapter(s.fn):
		return fmt.Sprintf("%s inside %s, a method of a type that implements the queue itself: "+
			"rewriting it to Add could make Add call itself; left alone", s.what(), funcName(outermost(s.fn)))
	case s.limited == nil && !hasMethodNamed(s.recv, "Add"):
		return fmt.Sprintf("AddRateLimited reached from an event handler on %s, which has no Add method: "+
			"add Add to it or call Add on the queue; left alone", types.TypeString(s.recv, qualifier(s.pkg.Types)))
	case s.generic:
		return fmt.Sprintf("%s in generic code (%s): queuefix does not see every path into instantiated generic code; "+
			"if only event handlers reach it, call Add by hand; left alone", s.what(), name)
	case s.other != nil:
		return fmt.Sprintf("%s is reached both from an event handler and from another path (a retry or resync): "+
			"call Add at the handler call sites instead; left alone", name)
	case !s.call:
		return s.what() + " taken as a method value reached from an event handler: " +
			"call Add where it is called; left alone"
	}
	return ""
}

// isQueueAdapter reports whether fn (or the method enclosing it) is a
// method of a target type that itself implements a work queue.
func (a *analysis) isQueueAdapter(fn *ssa.Function) bool {
	fn = outermost(fn)
	recv := fn.Signature.Recv()
	if recv == nil {
		return false
	}
	t := recv.Type()
	for _, m := range []string{"Add", "Get", "Done", "AddRateLimited"} {
		if !hasMethodNamed(t, m) {
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

func qualifier(pkg *types.Package) types.Qualifier {
	return func(p *types.Package) string {
		if p == pkg {
			return ""
		}
		return p.Name()
	}
}
