package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

// Rule forget: every exit from an item's retry cycle forgets the item.
//
//	key, quit := c.queue.Get()
//	...
//	if err := c.syncHandler(key); err != nil {
//		if c.queue.NumRequeues(key) < maxRetries {
//			c.queue.AddRateLimited(key)
//			return true
//		}
//		return true
//	}
//	return true
//
// =>
//
//	if err := c.syncHandler(key); err != nil {
//		if c.queue.NumRequeues(key) < maxRetries {
//			c.queue.AddRateLimited(key)
//			return true
//		}
//		c.queue.Forget(key)
//		return true
//	}
//	c.queue.Forget(key)
//	return true
//
// client-go's contract: "Forget indicates that an item is finished being
// retried. Doesn't matter whether it's for perm failing or for success".
// The rule follows every path from Get (paths.go), into the closures the
// worker calls and the helpers that requeue or forget the item, and sums
// up everything else the item is handed to (effects.go). A path that
// neither requeues the item (Add, AddAfter or AddRateLimited on the
// worker's queue), nor forgets it, nor lets it escape ends its retry
// cycle: success, a drop after too many retries, an invalid item, an
// outcome that is not an error. Each such path gets one Forget, at a
// point after the last call handed the item that only such paths pass
// (placeForget; a path that requeues with Add or AddAfter only may pass it
// when nothing else is left, since those do not read the failure count).
// So no Forget lands on a path that requeues the item rate limited, before
// or after the requeue, none runs twice on a path, and a second run finds
// every path forgetting.
//
// It declines, and reports for review, a worker whose paths it cannot
// follow, one where the item escapes on a path that neither requeues nor
// forgets it (only the code it escaped to knows when its retries end),
// and one where the paths that need Forget never part from the others.
// A worker where every path already requeues or forgets is kept, with
// the reason.
const ruleForget = RuleForget

// forget returns the verdicts on the workers of the index's packages and
// the directives that left a worker alone. It reads the index only.
func (a *index) forget() ([]Finding, []*ignore) {
	limited := a.rateLimitedQueues()
	sc := newScanner(a)
	var out []Finding
	var used []*ignore
	seen := make(map[Edit]bool)
	for _, w := range a.workers() {
		if !limited.reaches(w) {
			continue // the item never meets a rate limiter
		}
		f, ig := a.judgeWorker(w, sc, limited.uses)
		if ig != nil {
			used = append(used, ig)
		}
		if len(f.Edits) > 0 && seen[f.Edits[0]] {
			f = a.sharedEdit(w, f)
		}
		for _, e := range f.Edits {
			seen[e] = true
		}
		out = append(out, f)
	}
	return out, used
}

// sharedEdit is the verdict of a worker whose Forget another worker's
// finding already inserts (both call one helper).
func (a *index) sharedEdit(w *Worker, f Finding) Finding {
	return Finding{Pos: a.fset.Position(w.Get.Pos()), Rule: ruleForget, Status: Keep,
		Message: fmt.Sprintf("the Forget %s needs is inserted by the finding at line %d", a.text(w.Get.Fun), f.Pos.Line)}
}

// judgeWorker returns the worker's verdict, and the directive that left
// it alone if one did.
func (a *index) judgeWorker(w *Worker, sc *scanner, uses map[*types.Var]*fieldUse) (Finding, *ignore) {
	f := Finding{Pos: a.fset.Position(w.Get.Pos()), Rule: ruleForget, Status: Review}
	if ig := ignoreSite(w.File, &f); ig != nil {
		return f, ig
	}
	return a.followWorker(w, sc, uses, f), nil
}

// followWorker walks the worker's paths and plans its Forget.
func (a *index) followWorker(w *Worker, sc *scanner, uses map[*types.Var]*fieldUse, f Finding) Finding {
	get := a.text(w.Get.Fun)
	if w.Odd != "" {
		f.Message = fmt.Sprintf("cannot follow the item of %s: %s; check by hand that every path that does not requeue it calls %s.Forget", get, w.Odd, a.text(w.Queue))
		return f
	}
	wk := &walker{a: a, w: w, sc: sc, uses: uses}
	paths, err := wk.walk()
	if err != nil {
		f.Message = fmt.Sprintf("cannot follow the paths after %s: %v; check by hand that every path that does not requeue %s calls %s.Forget(%s)", get, err, w.Item.Name(), a.text(w.Queue), w.Item.Name())
		return f
	}
	return a.planForget(w, paths, f)
}

// planForget chooses where the paths that need Forget get one, or says
// why the worker is kept or left for review.
func (a *index) planForget(w *Worker, paths []*Path, f Finding) Finding {
	if p := FirstEscape(paths); p != nil {
		f.Message = fmt.Sprintf("the item of %s escapes where %s (%s) on a path that neither requeues nor forgets it: only the code it escapes to knows when its retries end; check by hand that it calls %s.Forget then",
			a.text(w.Get.Fun), p.Escape, a.line(p.EscapeAt), a.text(w.Queue))
		f.Chains = []Chain{a.pathChain(w, p, p.Escape)}
		return f
	}
	need := NeedingForget(paths)
	if len(need) == 0 {
		f.Status, f.Message = Keep, "every exit after "+a.text(w.Get.Fun)+" "+keepReason(paths)
		return f
	}
	points, stuck := PlaceForget(paths, need)
	if stuck != nil {
		f.Message = fmt.Sprintf("worker never calls Forget %s, but no statement on that path is passed only by paths that end the retry cycle (a Forget there would also run before a requeue): add %s.Forget(%s) by hand where the paths part",
			a.outcome(w, stuck), a.text(w.Queue), w.Item.Name())
		f.Chains = []Chain{a.pathChain(w, stuck, "processing ends without Forget")}
		return f
	}
	return a.forgetEdits(w, Described(need), points, f)
}

// PointOf returns the chosen point p passes (placeForget made it one).
func PointOf(p *Path, points []*Point) *Point {
	for _, pt := range p.all {
		for _, q := range points {
			if q.key() == pt.key() {
				return q
			}
		}
	}
	return points[0]
}

// Described returns the path a message describes: a success if there is
// one (the exit every worker has), else the first.
func Described(need []*Path) *Path {
	for _, p := range need {
		if p.Success() {
			return p
		}
	}
	return need[0]
}

// keepReason says why a worker that needs no Forget is correct.
func keepReason(paths []*Path) string {
	forgets, requeues := false, false
	for _, p := range paths {
		forgets = forgets || p.Forgets > 0
		requeues = requeues || p.Requeued
	}
	switch {
	case forgets && !requeues:
		return "forgets the item"
	case requeues && !forgets:
		return "requeues the item"
	}
	return "requeues or forgets the item"
}

// FirstEscape returns the first path (by where it ends) on which the item
// escapes without being requeued or forgotten, or nil.
func FirstEscape(paths []*Path) *Path {
	var first *Path
	for _, p := range paths {
		if p.Escaped() && (first == nil || p.EscapeAt < first.EscapeAt) {
			first = p
		}
	}
	return first
}

// PlaceForget returns the points where Forget goes: every path that
// needs Forget passes exactly one, no other path passes any. A point is a
// candidate when it lies on a needing path's trail (after its last call
// handed the item) and only needing paths pass it; candidates that serve
// more paths go first (one Forget where the paths have met again), then
// earlier ones. When that leaves a path unserved, paths that requeue
// with Add or AddAfter only may pass a candidate too (they do not read
// the failure count): the rule prefers to leave them alone, as a worker's
// custom backoff means it. It returns a path it could not serve instead.
func PlaceForget(paths, need []*Path) ([]*Point, *Path) {
	points, stuck := PlaceOnce(paths, need, (*Path).NeedsForget, false)
	if stuck != nil {
		return PlaceOnce(paths, need, func(q *Path) bool { return q.NeedsForget() || q.mayForget() }, false)
	}
	return points, nil
}

// PlaceOnce places statements for the needing paths at points that only
// paths allowed to run one pass (the forget and done rules); among points
// that serve as many paths, late ones go first when late is set (Done is
// the last thing an item's processing does).
func PlaceOnce(paths, need []*Path, allowed func(*Path) bool, late bool) ([]*Point, *Path) {
	passers := passedBy(paths)
	cands, cover := candidates(need, passers, allowed, late)
	served := make(map[*Path]bool)
	var out []*Point
	for _, pt := range cands {
		if slices.ContainsFunc(passers[pt.key()], func(q *Path) bool { return served[q] }) {
			continue // a path through it has its Forget already
		}
		for _, q := range passers[pt.key()] {
			served[q] = true
		}
		out = append(out, pt)
	}
	for _, p := range need {
		if !served[p] || len(cover[p]) == 0 {
			return nil, p
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Pos() < out[j].Pos() })
	return out, nil
}

// candidates returns the points that may hold Forget, most served paths
// first, and for each needing path its candidates.
func candidates(need []*Path, passers map[pointKey][]*Path, allowed func(*Path) bool, late bool) ([]*Point, map[*Path][]*Point) {
	cover := make(map[*Path][]*Point)
	seen := make(map[pointKey]bool)
	var cands []*Point
	for _, p := range need {
		for _, pt := range p.trail {
			if !onlyAllowed(passers[pt.key()], allowed) {
				continue
			}
			cover[p] = append(cover[p], pt)
			if !seen[pt.key()] {
				seen[pt.key()] = true
				cands = append(cands, pt)
			}
		}
	}
	served := func(pt *Point) int { return len(passers[pt.key()]) }
	sort.SliceStable(cands, func(i, j int) bool {
		if a, b := served(cands[i]), served(cands[j]); a != b {
			return a > b
		}
		if late {
			return cands[i].Pos() > cands[j].Pos()
		}
		return cands[i].Pos() < cands[j].Pos()
	})
	return cands, cover
}

// onlyAllowed reports whether every path passing a point may run the
// statement placed there.
func onlyAllowed(passers []*Path, allowed func(*Path) bool) bool {
	for _, q := range passers {
		if !allowed(q) {
			return false
		}
	}
	return true
}

// forgetEdits builds the insertions, or a review finding when the queue
// or the item cannot be named at a point.
func (a *index) forgetEdits(w *Worker, p *Path, points []*Point, f Finding) Finding {
	f.Chains = []Chain{a.pathChain(w, p, "processing ends without Forget")}
	var edits []Edit
	var checks []editCheck
	var stmt string
	for _, pt := range points {
		s, why := a.forgetStmt(w, pt)
		if why == "" {
			var e Edit
			e, why = a.insertion(pt, s)
			edits, stmt = append(edits, e), s
		}
		if why != "" {
			f.Message = fmt.Sprintf("worker does not Forget the item %s, but %s; add Forget by hand", a.outcome(w, p), why)
			return f
		}
		checks = append(checks, editCheck{pt.fr.fi.pkg.Types, pt.CheckPos()})
	}
	f.Status, f.Edits, f.checks = Change, edits, checks
	f.Fix = forgetFix(points[0], edits[0])
	f.Pos = a.fset.Position(PointOf(p, points).Pos())
	more := ""
	switch n := len(points); {
	case n == 2:
		more = " (and at 1 more exit)"
	case n > 2:
		more = fmt.Sprintf(" (and at %d more exits)", n-1)
	}
	f.Message = fmt.Sprintf("worker never calls Forget %s%s, so the rate limiter keeps the item's failure count forever: inserting %s", a.outcome(w, p), more, stmt)
	return f
}

// outcome says where a path that needs Forget ends, for a message: after
// which call handed the item, and by which branch.
func (a *index) outcome(w *Worker, p *Path) string {
	via := ""
	if p.Via != "" {
		via = ", " + p.Via
	}
	switch {
	case p.Success():
		return "after a successful " + p.SyncName
	case p.Synced.IsValid() && len(p.syncs) > 0:
		return "after " + p.SyncName + " fails" + via
	case p.Synced.IsValid() && p.Via != "":
		return "after " + p.SyncName + via
	case p.Synced.IsValid():
		return "after " + p.SyncName + " returns"
	case p.Via != "":
		return p.Via
	}
	return fmt.Sprintf("on the path from %s that ends at %s", a.text(w.Get.Fun), a.line(p.End))
}

// forgetFix summarises the first insertion: the statement, or the else
// branch that holds it.
func forgetFix(pt *Point, e Edit) string {
	stmt := strings.TrimSpace(e.New)
	if pt.Kind != ImplicitElse {
		return "insert " + stmt
	}
	stmt = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(stmt, "else {"), "}"))
	return "insert an else branch: " + stmt
}

func NeedingForget(paths []*Path) []*Path {
	var out []*Path
	for _, p := range paths {
		if p.NeedsForget() {
			out = append(out, p)
		}
	}
	return out
}

// passedBy maps each point to the paths that pass it anywhere after Get.
func passedBy(paths []*Path) map[pointKey][]*Path {
	m := make(map[pointKey][]*Path)
	for _, p := range paths {
		for _, pt := range p.all {
			m[pt.key()] = append(m[pt.key()], p)
		}
	}
	return m
}

func sortedPoints(m map[pointKey]*Point) []*Point {
	out := make([]*Point, 0, len(m))
	for _, pt := range m {
		out = append(out, pt)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Pos() < out[j].Pos() })
	return out
}

// Pos returns where a statement inserted at the point would go.
func (pt *Point) Pos() token.Pos {
	switch pt.Kind {
	case BeforeStmt:
		return pt.Block.List[pt.Index].Pos()
	case BlockStart:
		if len(pt.Block.List) > 0 {
			return pt.Block.List[0].Pos()
		}
		return pt.Block.Rbrace
	case BlockEnd:
		return pt.Block.Rbrace
	}
	return pt.Ifs.Body.Rbrace
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
func (pt *Point) lookups(info *types.Info) []lookup {
	at := lookup{pos: pt.CheckPos()}
	if pt.Kind != ImplicitElse {
		return []lookup{at}
	}
	ifScope := info.Scopes[pt.Ifs]
	if ifScope == nil {
		return []lookup{{}} // resolves nothing: decline
	}
	return []lookup{{ifScope, pt.Ifs.Body.End()}, at}
}

// CheckPos returns the position at which names in a statement inserted
// at the point are looked up when the edit is type-checked.
func (pt *Point) CheckPos() token.Pos {
	switch pt.Kind {
	case ImplicitElse:
		return pt.Ifs.Pos()
	case BlockStart:
		return pt.Block.Lbrace + 1
	}
	return pt.Pos()
}

// forgetStmt returns `queue.Forget(item)` spelled for the point's frame.
func (a *index) forgetStmt(w *Worker, pt *Point) (string, string) {
	return a.QueueStmt(w, pt, "Forget")
}

// QueueStmt returns `queue.method(item)` spelled for the point's frame,
// or why it cannot be.
func (a *index) QueueStmt(w *Worker, pt *Point, method string) (string, string) {
	fr := pt.fr
	queue, why := a.queueAt(fr, pt)
	if why != "" {
		return "", why
	}
	item := a.itemVar(fr, pt)
	if item == nil {
		if name := shadowedItem(fr, pt); name != "" {
			return "", name + " names another variable at that point"
		}
		return "", "no variable holding the item is in scope there"
	}
	return queue + "." + method + "(" + item.Name() + ")", ""
}

// queueAt returns the frame's queue spelled at the point, or why it
// cannot be: a queue passed on from the caller must be named by the
// variable it was passed in (queueref.go).
func (a *index) queueAt(fr *frame, pt *Point) (string, string) {
	switch {
	case fr.queue != nil:
		if !a.resolvesSame(fr, fr.queue, pt) {
			return "", a.text(fr.queue) + " means something else at that point"
		}
		return a.text(fr.queue), ""
	case fr.queueRef != nil:
		if !visibleAt(pt, fr.queueRef.root) {
			return "", fr.queueRef.text() + " means something else at that point"
		}
		return fr.queueRef.text(), ""
	}
	return "", "the queue has no name in " + a.frameName(fr)
}

// itemVar returns the variable of the frame (or the frames around it)
// that holds the item and is visible at the point, preferring the earliest.
func (a *index) itemVar(fr *frame, pt *Point) types.Object {
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
func shadowedItem(fr *frame, pt *Point) string {
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
func visibleAt(pt *Point, v types.Object) bool {
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
func lookUp(pt *Point, name string) []types.Object {
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
func (a *index) resolvesSame(fr *frame, e ast.Expr, pt *Point) bool {
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

func (a *index) frameName(fr *frame) string {
	if fr.parent == nil {
		return "the worker"
	}
	return "a helper"
}

// pathChain is the evidence: Get, the call handed the item whose outcome
// the path took, and where the path ends (or the item escapes).
func (a *index) pathChain(w *Worker, p *Path, last string) Chain {
	frames := []Frame{{Func: a.text(w.Get.Fun), Pos: a.fset.Position(w.Get.Pos())}}
	kind := ChainExit
	switch {
	case p.Success():
		kind = ChainSuccess
		frames = append(frames, Frame{Func: p.SyncName + " returns nil", Pos: a.fset.Position(p.Synced)})
	case p.Synced.IsValid() && len(p.syncs) > 0:
		frames = append(frames, Frame{Func: p.SyncName + " fails", Pos: a.fset.Position(p.Synced)})
	case p.Synced.IsValid():
		frames = append(frames, Frame{Func: p.SyncName, Pos: a.fset.Position(p.Synced)})
	}
	at := p.End
	if p.Escaped() {
		at = p.EscapeAt
	}
	return Chain{Kind: kind, Frames: append(frames, Frame{Func: last, Pos: a.fset.Position(at)})}
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
func (a *index) rateLimitedQueues() *limitedQueues {
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
func (l *limitedQueues) reaches(w *Worker) bool {
	if l.types.At(w.pkg.TypesInfo.TypeOf(w.Queue)) == nil {
		return false
	}
	if field := queueField(w.pkg.TypesInfo, w.Queue); field != nil && l.uses[field].private(field) {
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
