package rewrite

import (
	"fmt"
	"go/ast"
	"go/types"
	"slices"
)

// Rule done: every path from Get reaches Done of the same item.
//
//	key, quit := c.queue.Get()
//	if quit {
//		return false
//	}
//	if _, _, err := cache.SplitMetaNamespaceKey(key); err != nil {
//		return true
//	}
//	...
//
// =>
//
//	key, quit := c.queue.Get()
//	if quit {
//		return false
//	}
//	defer c.queue.Done(key)
//	if _, _, err := cache.SplitMetaNamespaceKey(key); err != nil {
//		return true
//	}
//
// client-go's queue keeps an item it handed out in its processing set
// until Done: Adds of it meanwhile only mark it dirty, so an item that
// never gets Done is never handed out again and the object is no longer
// reconciled. The rule walks the worker's paths as the forget rule does
// (paths.go), counting Done of the item on the worker's queue, called
// directly, deferred (it runs when its function returns or panics) or in
// a helper the walk follows. When no path calls Done and the Get stands
// in the function's own body right before its shutdown check, one
// `defer queue.Done(item)` after that check covers every path, panics
// included, and no path then calls Done twice. Otherwise the paths
// without Done get `queue.Done(item)` at points only they pass, after the
// last call handed the item (so Done never lets another worker take the
// item while it is processed), as placeForget places Forget.
//
// It declines, and reports for review, a worker whose paths it cannot
// follow (Done in a loop, a deferred Done in a loop body, Done in code
// the walk sums up), one where the item escapes on a path without Done
// (the code it escapes to may call Done later), and one where the paths
// without Done never part from the others. A path that panics needs Done
// only when the worker recovers the panic (otherwise the process ends).
const ruleDone = RuleDone

// done returns the done rule's verdicts on the workers of the index's
// packages and the directives that left a worker alone. It reads the
// index only.
func (a *index) done() ([]Finding, []*ignore) {
	sc := newScanner(a)
	uses := a.rateLimitedQueues().uses
	var out []Finding
	var used []*ignore
	seen := make(map[Edit]bool)
	for _, w := range a.workers() {
		f := Finding{Pos: a.fset.Position(w.Get.Pos()), Rule: ruleDone, Status: Review}
		if ig := ignoreSite(w.File, &f); ig != nil {
			used = append(used, ig)
			out = append(out, f)
			continue
		}
		f = a.followDone(w, sc, uses, f)
		if len(f.Edits) > 0 && seen[f.Edits[0]] {
			f = Finding{Pos: a.fset.Position(w.Get.Pos()), Rule: ruleDone, Status: Keep, Chains: f.Chains,
				Message: fmt.Sprintf("the Done %s needs is inserted by another finding at line %d", a.text(w.Get.Fun), f.Pos.Line)}
		}
		for _, e := range f.Edits {
			seen[e] = true
		}
		out = append(out, f)
	}
	return out, used
}

// followDone walks the worker's paths and plans its Done.
func (a *index) followDone(w *Worker, sc *scanner, uses map[*types.Var]*fieldUse, f Finding) Finding {
	get := a.text(w.Get.Fun)
	if w.Odd != "" {
		f.Message = fmt.Sprintf("cannot follow the item of %s: %s; check by hand that every path calls %s.Done", get, w.Odd, a.text(w.Queue))
		return f
	}
	wk := &walker{a: a, w: w, sc: sc, uses: uses, done: true}
	paths, err := wk.walk()
	if err != nil {
		f.Message = fmt.Sprintf("cannot follow the paths after %s: %v; check by hand that every path calls %s.Done(%s)", get, err, a.text(w.Queue), w.Item.Name())
		return f
	}
	for _, p := range paths {
		p.Dones += len(p.deferred) // the worker's function returns (or panics): its defers run
		p.deferred = nil
	}
	return a.planDone(w, paths, Recovers(w), f)
}

// planDone chooses where the paths without Done get one, or says why the
// worker is kept or left for review.
func (a *index) planDone(w *Worker, paths []*Path, recovered bool, f Finding) Finding {
	queue, item := a.text(w.Queue), w.Item.Name()
	if p := FirstDoneEscape(paths); p != nil {
		f.Message = fmt.Sprintf("the item of %s escapes where %s (%s) on a path that does not call Done: only the code it escapes to knows when it is processed; check by hand that it calls %s.Done(%s) then",
			a.text(w.Get.Fun), p.Escape, a.line(p.EscapeAt), queue, item)
		f.Chains = []Chain{a.pathChain(w, p, p.Escape)}
		return f
	}
	need := NeedingDone(paths, recovered)
	if len(need) == 0 {
		f.Status, f.Message = Keep, fmt.Sprintf("every exit after %s calls %s.Done(%s)", a.text(w.Get.Fun), queue, item)
		if len(paths) > 0 {
			f.Chains = []Chain{a.pathChain(w, Described(paths), "processing ends after Done")}
		}
		return f
	}
	f.Chains = []Chain{a.pathChain(w, Described(need), "processing ends without Done")}
	if pt := a.DeferPoint(w, paths); pt != nil {
		return a.doneEdits(w, Described(need), []*Point{pt}, "defer ", f)
	}
	isNeed := make(map[*Path]bool, len(need))
	for _, p := range need {
		isNeed[p] = true
	}
	points, stuck := PlaceOnce(paths, need, func(p *Path) bool { return isNeed[p] }, true)
	if stuck != nil {
		f.Message = fmt.Sprintf("worker never calls Done %s, but no statement on that path is passed only by paths without Done (a Done there would run twice on another path): add %s.Done(%s) by hand where the paths part",
			a.outcome(w, stuck), queue, item)
		f.Chains = []Chain{a.pathChain(w, stuck, "processing ends without Done")}
		return f
	}
	return a.doneEdits(w, Described(need), points, "", f)
}

// NeedingDone returns the paths that end the item's processing without
// Done: a panic ends it only when the worker recovers.
func NeedingDone(paths []*Path, recovered bool) []*Path {
	var out []*Path
	for _, p := range paths {
		if p.Dones == 0 && p.Escape == "" && (!p.panicked || recovered) {
			out = append(out, p)
		}
	}
	return out
}

// FirstDoneEscape returns the first path (by where the item escapes) on
// which the item escapes and Done is not called, or nil.
func FirstDoneEscape(paths []*Path) *Path {
	var first *Path
	for _, p := range paths {
		if p.Dones == 0 && p.Escape != "" && (first == nil || p.EscapeAt < first.EscapeAt) {
			first = p
		}
	}
	return first
}

// DeferPoint returns the point right after the worker's shutdown check
// where one deferred Done serves every path, or nil: no path may call
// Done (it would then run twice), and the Get must stand in the
// function's own body, so that the defer runs once per item.
func (a *index) DeferPoint(w *Worker, paths []*Path) *Point {
	if w.block != w.body {
		return nil // in a loop or a branch: the defer would wait for the function
	}
	for _, p := range paths {
		if p.Dones > 0 {
			return nil
		}
	}
	i := shutdownCheck(w)
	if i < 0 {
		return nil
	}
	fr := &frame{fi: w.File, info: w.pkg.TypesInfo, queue: w.Queue, items: map[types.Object]bool{w.Item: true}, top: true}
	if i+1 < len(w.block.List) {
		return &Point{Kind: BeforeStmt, Block: w.block, Index: i + 1, fr: fr}
	}
	return &Point{Kind: BlockEnd, Block: w.block, fr: fr}
}

// shutdownCheck returns the index of `if quit { ... return }` right
// after the worker's Get, or -1.
func shutdownCheck(w *Worker) int {
	i := w.index + 1
	if w.quit == nil || i >= len(w.block.List) {
		return -1
	}
	ifs, ok := w.block.List[i].(*ast.IfStmt)
	if !ok || ifs.Init != nil || ifs.Else != nil || len(ifs.Body.List) == 0 {
		return -1
	}
	if id, ok := ast.Unparen(ifs.Cond).(*ast.Ident); !ok || w.pkg.TypesInfo.Uses[id] != w.quit {
		return -1
	}
	if _, ok := ifs.Body.List[len(ifs.Body.List)-1].(*ast.ReturnStmt); !ok {
		return -1
	}
	return i
}

// Recovers reports whether the worker's function defers a func literal
// that calls recover: a panic there ends the item's processing, not the
// process.
func Recovers(w *Worker) bool {
	found := false
	ast.Inspect(w.body, func(n ast.Node) bool {
		d, ok := n.(*ast.DeferStmt)
		if !ok {
			return !found
		}
		if lit, ok := ast.Unparen(d.Call.Fun).(*ast.FuncLit); ok && callsBuiltin(w.pkg.TypesInfo, lit.Body, "recover") {
			found = true
		}
		return !found
	})
	return found
}

// callsBuiltin reports whether n calls the named builtin.
func callsBuiltin(info *types.Info, n ast.Node, name string) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
				b, isB := info.Uses[id].(*types.Builtin)
				found = found || isB && b.Name() == name
			}
		}
		return !found
	})
	return found
}

// doneEdits builds the insertions of `prefix queue.Done(item)`, or a
// review finding when the queue or the item cannot be named at a point.
func (a *index) doneEdits(w *Worker, p *Path, points []*Point, prefix string, f Finding) Finding {
	var edits []Edit
	var checks []editCheck
	var stmt string
	for _, pt := range points {
		s, why := a.QueueStmt(w, pt, "Done")
		if why == "" {
			var e Edit
			if clauseEnd(pt) {
				e, why = a.afterLast(pt, prefix+s)
			} else {
				e, why = a.insertion(pt, prefix+s)
			}
			edits, stmt = append(edits, e), prefix+s
		}
		if why != "" {
			f.Message = fmt.Sprintf("worker does not call Done %s, but %s; add Done by hand", a.outcome(w, p), why)
			return f
		}
		checks = append(checks, editCheck{pt.fr.fi.pkg.Types, pt.CheckPos()})
	}
	f.Status, f.Edits, f.checks = Change, edits, checks
	f.Fix = forgetFix(points[0], edits[0])
	f.Pos = a.fset.Position(PointOf(p, points).Pos())
	if prefix != "" {
		f.Pos = a.fset.Position(points[0].Pos())
		f.Message = fmt.Sprintf("worker never calls Done after %s, so the item stays in the queue's processing set and is never handed out again: inserting %s after the shutdown check", a.text(w.Get.Fun), stmt)
		return f
	}
	more := ""
	switch n := len(points); {
	case n == 2:
		more = " (and at 1 more exit)"
	case n > 2:
		more = fmt.Sprintf(" (and at %d more exits)", n-1)
	}
	f.Message = fmt.Sprintf("worker never calls Done %s%s, so the item stays in the queue's processing set and is never handed out again: inserting %s", a.outcome(w, p), more, stmt)
	return f
}

// blocks reports whether summed-up code does what the walk must follow
// path by path: for the forget rule a requeue or Forget, for the done
// rule a Done.
func (wk *walker) blocks(eff effect) bool {
	if wk.done {
		return eff.dones
	}
	return eff.touches()
}

// hidden says what blocks found, for the message.
func (wk *walker) hidden() string {
	if wk.done {
		return "Done of the item is called"
	}
	return "the item is requeued or forgotten"
}

// doneHelper returns a helper's declaration when it is handed the item
// (or a value computed from it) and calls Done of it: the done walk
// follows it path by path.
func (wk *walker) doneHelper(v *view, fn *types.Func, call *ast.CallExpr, decl *ast.FuncDecl, fi *fileInfo) (*ast.FuncDecl, *fileInfo) {
	if v.handsItem(call) {
		if eff, _ := wk.sc.summary(fn, v.mask(fn, call)); eff.dones {
			return decl, fi
		}
	}
	if v.handsDerived(call) && v.derivedTouch(call).dones {
		return decl, fi
	}
	return nil, nil
}

// deferStmt runs a defer for the done walk: a deferred Done of the item
// is pending on the paths until its frame returns (runDefers) or panics.
func (wk *walker) deferStmt(fr *frame, s *ast.DeferStmt, in []*Path) ([]*Path, error) {
	n, ok := wk.deferredDones(fr, s.Call)
	if !ok {
		return nil, unprovable("Done is called conditionally in a deferred function at " + wk.a.line(s.Pos()))
	}
	if n == 0 {
		return wk.effects(fr, s, "a deferred call", in)
	}
	if fr.top && wk.w.block != wk.w.body {
		return nil, unprovable("Done is deferred at " + wk.a.line(s.Pos()) + " in a block that is not the function's body: it runs when the function returns")
	}
	for _, p := range in {
		for range n {
			p.deferred = append(p.deferred, fr)
		}
	}
	return in, nil
}

// deferredDones counts the Done calls of the item a deferred call makes
// for sure: `defer q.Done(item)`, or a func literal whose body calls it
// as a statement of its own. A Done deeper in the literal is not sure.
func (wk *walker) deferredDones(fr *frame, call *ast.CallExpr) (int, bool) {
	if wk.isDone(fr, call) {
		return 1, true
	}
	lit, ok := ast.Unparen(call.Fun).(*ast.FuncLit)
	if !ok || len(call.Args) > 0 {
		return 0, true
	}
	n, all := 0, 0
	for _, st := range lit.Body.List {
		if es, ok := st.(*ast.ExprStmt); ok {
			if c, ok := ast.Unparen(es.X).(*ast.CallExpr); ok && wk.isDone(fr, c) {
				n++
			}
		}
	}
	ast.Inspect(lit.Body, func(x ast.Node) bool {
		if c, ok := x.(*ast.CallExpr); ok && wk.isDone(fr, c) {
			all++
		}
		return true
	})
	return n, n == all
}

// isDone reports whether call is Done of the item on the worker's queue.
func (wk *walker) isDone(fr *frame, call *ast.CallExpr) bool {
	name, recv := calledQueueMethod(fr.info, call)
	return name == "Done" && len(call.Args) == 1 && fr.mentions(call.Args[0]) && !wk.otherQueue(fr, recv)
}

// runDefers runs, on the paths that leave a frame, the Done calls the
// frame deferred.
func runDefers(fr *frame, out []*Path) {
	for _, p := range out {
		n := len(p.deferred)
		p.deferred = slices.DeleteFunc(p.deferred, func(f *frame) bool { return f == fr })
		p.Dones += n - len(p.deferred)
	}
}

// argCalls runs first, for the done walk, the calls among call's
// arguments that call Done of the item (c.handleErr(c.process(key), key):
// arguments are evaluated before the call), and returns call with those
// arguments blanked out, so that they are not counted again.
func (wk *walker) argCalls(fr *frame, call *ast.CallExpr, in []*Path) (*ast.CallExpr, []*Path, error) {
	var args []ast.Expr
	for i, arg := range call.Args {
		inner, ok := ast.Unparen(arg).(*ast.CallExpr)
		if !ok || !fr.view().uses(inner).dones {
			continue
		}
		var err error
		if in, err = wk.call(fr, inner, nil, in); err != nil {
			return nil, nil, err
		}
		if args == nil {
			args = slices.Clone(call.Args)
		}
		args[i] = &ast.Ident{Name: "_", NamePos: arg.Pos()}
	}
	if args == nil {
		return call, in, nil
	}
	cp := *call
	cp.Args = args
	return &cp, in, nil
}

// foreignDone lets the item escape, for the done walk, into a method of
// code that is not analysed whose receiver holds a work queue (a base
// controller of a library that finishes the item): it may call Done, and
// a Done inserted after it would run twice.
func (wk *walker) foreignDone(fr *frame, call *ast.CallExpr, in []*Path) {
	fn := calleeFunc(fr.info, call)
	if fn == nil || keepsNothing(fn) || !fr.view().handsItem(call) {
		return
	}
	if decl, _ := wk.sc.decl(fn.Origin()); decl != nil {
		return // analysed: the summary says whether it calls Done
	}
	recv := fn.Signature().Recv()
	if recv == nil || !holdsQueue(recv.Type()) {
		return
	}
	for _, p := range in {
		p.escapes("it is handed to "+wk.a.text(call.Fun)+", code queuefix does not analyse whose receiver holds a work queue", call.Pos())
	}
}

// holdsQueue reports whether t (or what it points to) is, embeds or has
// a field of a work queue type.
func holdsQueue(t types.Type) bool {
	if hasQueueMethod(t, "Done") {
		return true
	}
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for i := range st.NumFields() {
		if hasQueueMethod(st.Field(i).Type(), "Done") {
			return true
		}
	}
	return false
}

// goStmt runs a go statement for the done walk. The item escapes into
// the goroutine; when the goroutine's func literal defers Done of it at
// its top level, and calls Done nowhere else, Done runs once on every
// path of the goroutine, so the path has its Done.
func (wk *walker) goStmt(fr *frame, s *ast.GoStmt, in []*Path) ([]*Path, error) {
	n := 0
	if lit, ok := ast.Unparen(s.Call.Fun).(*ast.FuncLit); ok {
		n = wk.deferredInGoroutine(fr, lit)
	}
	if n == 0 {
		return wk.effects(fr, s, "a statement", in)
	}
	for _, p := range in {
		p.Dones += n
	}
	eff := fr.view().uses(s)
	for _, p := range in {
		p.escapes(eff.escape, eff.at)
	}
	return in, nil
}

// deferredInGoroutine counts the Dones of the item a goroutine's literal
// defers at its top level, or 0 when it calls Done anywhere else too.
func (wk *walker) deferredInGoroutine(fr *frame, lit *ast.FuncLit) int {
	n, all := 0, 0
	for _, st := range lit.Body.List {
		if d, ok := st.(*ast.DeferStmt); ok {
			if k, sure := wk.deferredDones(fr, d.Call); sure {
				n += k
			}
		}
	}
	ast.Inspect(lit.Body, func(x ast.Node) bool {
		if c, ok := x.(*ast.CallExpr); ok && wk.isDone(fr, c) {
			all++
		}
		return true
	})
	if n != all {
		return 0
	}
	return n
}
