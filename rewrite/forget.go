package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"sort"

	"golang.org/x/tools/go/types/typeutil"
)

// Rule forget: a worker forgets an item it processed successfully.
//
//	key, quit := c.queue.Get()
//	...
//	if err := c.syncHandler(key); err != nil {
//		c.queue.AddRateLimited(key)
//		return true
//	}
//	return true
//
// =>
//
//	if err := c.syncHandler(key); err != nil {
//		c.queue.AddRateLimited(key)
//		return true
//	}
//	c.queue.Forget(key)
//	return true
//
// The rule follows every path from Get (see paths.go). A path is a success
// when a call on the item returned an error and that error was nil. Where a
// success path lacks Forget, the rule inserts one at the first point of the
// path that only such paths pass: after the error check, at the top of an
// `if err == nil` branch (in a handleErr helper, too, when the worker calls
// it with the sync error), or in a new else branch. It uses the worker's
// own queue expression and item variable, and never adds a second Forget.
//
// It declines, and reports for review, a worker whose paths it cannot
// follow, one where no call on the item returns an error, and one where
// successful and failed paths never part.
//
// Forget is sound on success: the item is done being retried, and only
// Forget resets its failure count and drops it from the rate limiter.
const ruleForget = RuleForget

func (a *analysis) forget() []Finding {
	limited := a.rateLimitedQueues()
	var out []Finding
	seen := make(map[Edit]bool)
	for _, w := range a.workers() {
		if !limited.reaches(w) || !a.hasDone(w) {
			continue // the item never meets a rate limiter, or no worker
		}
		f, ok := a.judgeWorker(w)
		if !ok || len(f.Edits) > 0 && seen[f.Edits[0]] {
			continue
		}
		for _, e := range f.Edits {
			seen[e] = true
		}
		out = append(out, f)
	}
	return out
}

// judgeWorker returns the worker's finding, and false when all is well.
func (a *analysis) judgeWorker(w *worker) (Finding, bool) {
	f := Finding{Pos: a.fset.Position(w.get.Pos()), Rule: ruleForget, Status: Review}
	if ig := w.fi.ignoreFor(f.Pos.Line); ig != nil && ig.reason != "" {
		a.use(ig)
		f.Status, f.Message = Ignored, "left alone by //queuefix:ignore: "+ig.reason
		return f, true
	}
	wk := &walker{a: a, w: w}
	paths, err := wk.walk()
	if err != nil {
		f.Message = fmt.Sprintf("cannot follow this worker's paths (%v): check by hand that it calls %s.Forget after a successful sync", err, a.text(w.queue))
		return f, true
	}
	return a.planForget(w, paths, f)
}

// planForget chooses where the success paths that lack Forget get one.
func (a *analysis) planForget(w *worker, paths []*path, f Finding) (Finding, bool) {
	need := needingForget(paths)
	if len(need) == 0 {
		if !anySuccess(paths) {
			f.Message = "cannot tell the worker's success path: no call on the item returns an error that it checks; check by hand that it calls Forget on success"
			return f, true
		}
		return f, false
	}
	passers := passedBy(paths)
	points := make(map[pointKey]*point)
	for _, p := range need {
		pt := firstExclusive(p, passers, need)
		if pt == nil {
			f.Message = fmt.Sprintf("success and failure paths after %s never part: cannot place Forget safely; add it by hand", need[0].syncName)
			f.Chains = []Chain{a.successChain(w, p)}
			return f, true
		}
		points[pt.key()] = pt
	}
	return a.forgetEdits(w, need[0], sortedPoints(points), f)
}

// forgetEdits builds the insertions, or a review finding when the queue
// or the item cannot be named at a point.
func (a *analysis) forgetEdits(w *worker, p *path, points []*point, f Finding) (Finding, bool) {
	f.Chains = []Chain{a.successChain(w, p)}
	var edits []Edit
	var checks []editCheck
	var stmt string
	for _, pt := range points {
		s, why := a.forgetStmt(w, pt)
		if why != "" {
			f.Message = "worker does not Forget the item after a successful " + p.syncName + ", but " + why + "; add Forget by hand"
			return f, true
		}
		e, why := a.insertion(pt, s)
		if why != "" {
			f.Message = "worker does not Forget the item after a successful " + p.syncName + ", but " + why + "; add Forget by hand"
			return f, true
		}
		edits, stmt = append(edits, e), s
		checks = append(checks, editCheck{pt.fr.fi.pkg.Types, pt.checkPos()})
	}
	f.Status, f.Edits, f.checks = Change, edits, checks
	f.Pos = a.fset.Position(points[0].pos())
	f.Message = fmt.Sprintf("worker never calls Forget after a successful %s, so the rate limiter keeps the item's failure count forever: inserting %s", p.syncName, stmt)
	return f, true
}

func needingForget(paths []*path) []*path {
	var out []*path
	for _, p := range paths {
		if p.success() && !p.forgot {
			out = append(out, p)
		}
	}
	return out
}

func anySuccess(paths []*path) bool {
	for _, p := range paths {
		if p.success() {
			return true
		}
	}
	return false
}

// passedBy maps each point to the paths that pass it.
func passedBy(paths []*path) map[pointKey][]*path {
	m := make(map[pointKey][]*path)
	for _, p := range paths {
		for _, pt := range p.trail {
			m[pt.key()] = append(m[pt.key()], p)
		}
	}
	return m
}

// firstExclusive returns the first point after p's last sync that only
// paths needing Forget pass.
func firstExclusive(p *path, passers map[pointKey][]*path, need []*path) *point {
	needs := make(map[*path]bool, len(need))
	for _, q := range need {
		needs[q] = true
	}
	for _, pt := range p.trail {
		ok := true
		for _, q := range passers[pt.key()] {
			if !needs[q] {
				ok = false
				break
			}
		}
		if ok {
			return pt
		}
	}
	return nil
}

func sortedPoints(m map[pointKey]*point) []*point {
	out := make([]*point, 0, len(m))
	for _, pt := range m {
		out = append(out, pt)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].pos() < out[j].pos() })
	return out
}

// pos returns where a statement inserted at the point would go.
func (pt *point) pos() token.Pos {
	switch pt.kind {
	case beforeStmt:
		return pt.block.List[pt.index].Pos()
	case blockStart:
		if len(pt.block.List) > 0 {
			return pt.block.List[0].Pos()
		}
		return pt.block.Rbrace
	case blockEnd:
		return pt.block.Rbrace
	}
	return pt.ifs.Body.Rbrace
}

// A lookup is a scope, and a position in it, where a name is resolved.
type lookup struct {
	scope *types.Scope // nil: the innermost scope at pos
	pos   token.Pos
}

// lookups returns where a name in a statement inserted at the point must
// denote what it denotes in the source. An else branch the rule adds sees
// the if's own declarations (an init statement may shadow the item); it
// is type-checked where the if begins (checkPos), so names must mean the
// same there too.
func (pt *point) lookups(info *types.Info) []lookup {
	at := lookup{pos: pt.checkPos()}
	if pt.kind != implicitElse {
		return []lookup{at}
	}
	ifScope := info.Scopes[pt.ifs]
	if ifScope == nil {
		return []lookup{{}} // resolves nothing: decline
	}
	return []lookup{{ifScope, pt.ifs.Body.End()}, at}
}

// checkPos returns the position at which names in a statement inserted
// at the point are looked up when the edit is type-checked.
func (pt *point) checkPos() token.Pos {
	switch pt.kind {
	case implicitElse:
		return pt.ifs.Pos()
	case blockStart:
		return pt.block.Lbrace + 1
	}
	return pt.pos()
}

// forgetStmt returns `queue.Forget(item)` spelled for the point's frame.
func (a *analysis) forgetStmt(w *worker, pt *point) (string, string) {
	fr := pt.fr
	if fr.queue == nil {
		return "", "the queue has no name in " + a.frameName(fr)
	}
	if !a.resolvesSame(fr, fr.queue, pt) {
		return "", a.text(fr.queue) + " means something else at that point"
	}
	item := a.itemVar(fr, pt)
	if item == nil {
		if name := shadowedItem(fr, pt); name != "" {
			return "", name + " names another variable at that point"
		}
		return "", "no variable holding the item is in scope there"
	}
	return a.text(fr.queue) + ".Forget(" + item.Name() + ")", ""
}

// itemVar returns the variable of the frame (or the frames around it)
// that holds the item and is visible at the point, preferring the earliest.
func (a *analysis) itemVar(fr *frame, pt *point) types.Object {
	var best types.Object
	for f := fr; f != nil; f = f.parent {
		for v := range f.items {
			if !visibleAt(pt, v) {
				continue
			}
			if best == nil || v.Pos() < best.Pos() {
				best = v
			}
		}
		if best != nil {
			return best
		}
	}
	return nil
}

// shadowedItem returns the name of an item variable of the frame that
// another variable hides at the point, or "".
func shadowedItem(fr *frame, pt *point) string {
	var names []string
	for v := range fr.items {
		for _, obj := range lookUp(pt, v.Name()) {
			if obj != nil && obj != v {
				names = append(names, v.Name())
				break
			}
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return ""
	}
	return names[0]
}

// visibleAt reports whether v's name denotes v at the point.
func visibleAt(pt *point, v types.Object) bool {
	objs := lookUp(pt, v.Name())
	for _, obj := range objs {
		if obj != v {
			return false
		}
	}
	return len(objs) > 0
}

// lookUp returns what name denotes in each of the point's lookups (nil
// where it denotes nothing).
func lookUp(pt *point, name string) []types.Object {
	pkg := pt.fr.fi.pkg
	var out []types.Object
	for _, l := range pt.lookups(pkg.TypesInfo) {
		scope := l.scope
		if scope == nil {
			scope = pkg.Types.Scope().Innermost(l.pos)
		}
		var obj types.Object
		if scope != nil {
			_, obj = scope.LookupParent(name, l.pos)
		}
		out = append(out, obj)
	}
	return out
}

// resolvesSame reports whether every name in e denotes, at the point, what
// it denotes where e is written (a local named workqueue stays the local).
func (a *analysis) resolvesSame(fr *frame, e ast.Expr, pt *point) bool {
	info := a.fileOf(e.Pos()).pkg.TypesInfo
	ok := true
	ast.Inspect(e, func(n ast.Node) bool {
		id, isID := n.(*ast.Ident)
		if !isID {
			return ok
		}
		if obj := info.Uses[id]; obj != nil && !isField(obj) && !visibleAt(pt, obj) {
			ok = false
		}
		return ok
	})
	return ok
}

// isField reports whether obj is a field or method, named through a
// selector and not looked up in scope.
func isField(obj types.Object) bool {
	if v, ok := obj.(*types.Var); ok && v.IsField() {
		return true
	}
	fn, ok := obj.(*types.Func)
	return ok && fn.Signature().Recv() != nil
}

func (a *analysis) frameName(fr *frame) string {
	if fr.parent == nil {
		return "the worker"
	}
	return "a helper"
}

// text returns e's source text.
func (a *analysis) text(e ast.Node) string {
	return exprString(a.fileOf(e.Pos()), e)
}

// successChain is the evidence: Get, the call whose nil error makes the
// path a success, and where the path ends without Forget.
func (a *analysis) successChain(w *worker, p *path) Chain {
	return Chain{Kind: ChainSuccess, Frames: []Frame{
		{Func: a.text(w.get.Fun), Pos: a.fset.Position(w.get.Pos())},
		{Func: p.syncName + " returns nil", Pos: a.fset.Position(p.synced)},
		{Func: "processing ends without Forget", Pos: a.fset.Position(p.end)},
	}}
}

// hasDone reports whether the worker's function calls Done (itself or in a
// closure).
func (a *analysis) hasDone(w *worker) bool {
	found := false
	ast.Inspect(w.body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if name, _ := calledQueueMethod(w.pkg.TypesInfo, call); name == "Done" {
				found = true
			}
		}
		return !found
	})
	return found
}

// limitedQueues is what the targets call AddRateLimited on: the receivers'
// static types, and the queue fields among the receivers. uses says how
// every queue field is used (fields.go).
type limitedQueues struct {
	types  typeutil.Map // types.Type -> true
	fields map[*types.Var]bool
	uses   map[*types.Var]*fieldUse
}

// rateLimitedQueues collects the receivers of AddRateLimited anywhere in
// the targets: only their items can sit in a rate limiter, so only the
// workers of those queues need Forget.
func (a *analysis) rateLimitedQueues() *limitedQueues {
	out := &limitedQueues{fields: make(map[*types.Var]bool), uses: make(map[*types.Var]*fieldUse)}
	for _, name := range a.sortedFiles() {
		fi := a.files[name]
		info := fi.pkg.TypesInfo
		queueFieldUses(info, fi.syntax, out.uses, func(call *ast.CallExpr) {
			if recv := rateLimitedReceiver(info, call); recv != nil {
				out.types.Set(info.TypeOf(recv), true)
				if f := queueField(info, recv); f != nil {
					out.fields[f] = true
				}
			}
		})
	}
	return out
}

// rateLimitedReceiver returns the receiver of an AddRateLimited call, or
// nil. A priority queue's AddWithOpts(RateLimited: true) is not counted:
// the worker walk does not know it as a requeue, and a Forget could land
// before one.
func rateLimitedReceiver(info *types.Info, call *ast.CallExpr) ast.Expr {
	if m, recv := calledQueueMethod(info, call); m == "AddRateLimited" {
		return recv
	}
	return nil
}

// reaches reports whether AddRateLimited may be called on the worker's
// queue: a queue of its type receives it somewhere and, when the worker's
// queue is a private field (fields.go), on that field.
func (l *limitedQueues) reaches(w *worker) bool {
	if l.types.At(w.pkg.TypesInfo.TypeOf(w.queue)) == nil {
		return false
	}
	if field := queueField(w.pkg.TypesInfo, w.queue); field != nil && l.uses[field].private(field) {
		return l.fields[field]
	}
	return true
}

// queueField returns the queue field e selects (c.queue), or nil.
func queueField(info *types.Info, e ast.Expr) *types.Var {
	if sel, ok := ast.Unparen(e).(*ast.SelectorExpr); ok {
		return queueFieldOf(info, sel)
	}
	return nil
}
