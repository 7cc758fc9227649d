package rewrite

import (
	"fmt"
	"strings"

	"github.com/queuefix/queuefix/rewrite/internal/walk"
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
// The rule follows every path from Get (internal/walk), into the closures
// the worker calls and the helpers that requeue or forget the item, and
// sums up everything else the item is handed to. A path that neither
// requeues the item (Add, AddAfter or AddRateLimited on the
// worker's queue), nor forgets it, nor lets it escape ends its retry
// cycle: success, a drop after too many retries, an invalid item, an
// outcome that is not an error. Each such path gets one Forget, at a
// point after the last call handed the item that only such paths pass
// (walk.PlaceForget; a path that requeues with Add or AddAfter only may pass it
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
func (a *index) forget(scan *walk.Scan) ([]Finding, []*ignore) {
	wl := scan.Walker(walk.Forget)
	return a.verdicts(scan, ruleForget, scan.RateLimited, // the others' items never meet a rate limiter
		func(w *walk.Worker, f Finding) Finding { return a.followWorker(w, wl, f) },
		func(w *walk.Worker, f Finding) Finding {
			return Finding{Pos: a.fset.Position(w.Get.Pos()), Rule: ruleForget, Status: Keep,
				Message: fmt.Sprintf("the Forget %s needs is inserted by the finding at line %d", a.text(w.Get.Fun), f.Pos.Line)}
		})
}

// verdicts returns rule's verdict on each worker take accepts, from
// follow unless a directive leaves the worker alone, and the directives
// that did. A verdict whose first edit an earlier one already makes (two
// workers call one helper) is replaced by shared's.
func (a *index) verdicts(scan *walk.Scan, rule Rule, take func(*walk.Worker) bool,
	follow, shared func(*walk.Worker, Finding) Finding) ([]Finding, []*ignore) {
	var out []Finding
	var used []*ignore
	seen := make(map[Edit]bool)
	for _, w := range scan.Workers() {
		if !take(w) {
			continue
		}
		f := Finding{Pos: a.fset.Position(w.Get.Pos()), Rule: rule, Status: Review}
		if ig := ignoreSite(a.files[w.File.Name], &f); ig != nil {
			used = append(used, ig)
			out = append(out, f)
			continue
		}
		f = follow(w, f)
		if len(f.Edits) > 0 && seen[f.Edits[0]] {
			f = shared(w, f)
		}
		for _, e := range f.Edits {
			seen[e] = true
		}
		out = append(out, f)
	}
	return out, used
}

// followWorker walks the worker's paths and plans its Forget.
func (a *index) followWorker(w *walk.Worker, wl *walk.Walker, f Finding) Finding {
	get := a.text(w.Get.Fun)
	if w.Odd != "" {
		f.Message = fmt.Sprintf("cannot follow the item of %s: %s; check by hand that every path that does not requeue it calls %s.Forget", get, w.Odd, a.text(w.Queue))
		return f
	}
	paths, err := wl.Paths(w)
	if err != nil {
		f.Message = fmt.Sprintf("cannot follow the paths after %s: %v; check by hand that every path that does not requeue %s calls %s.Forget(%s)", get, err, w.Item.Name(), a.text(w.Queue), w.Item.Name())
		return f
	}
	return a.planForget(w, paths, f)
}

// planForget chooses where the paths that need Forget get one, or says
// why the worker is kept or left for review.
func (a *index) planForget(w *walk.Worker, paths []*walk.Path, f Finding) Finding {
	if p := walk.FirstEscape(paths); p != nil {
		f.Message = fmt.Sprintf("the item of %s escapes where %s (%s) on a path that neither requeues nor forgets it: only the code it escapes to knows when its retries end; check by hand that it calls %s.Forget then",
			a.text(w.Get.Fun), p.Escape, a.line(p.EscapeAt), a.text(w.Queue))
		f.Chains = []Chain{a.pathChain(w, p, p.Escape)}
		return f
	}
	need := walk.NeedingForget(paths)
	if len(need) == 0 {
		f.Status, f.Message = Keep, "every exit after "+a.text(w.Get.Fun)+" "+keepReason(paths)
		return f
	}
	points, stuck := walk.PlaceForget(paths, need)
	if stuck != nil {
		f.Message = fmt.Sprintf("worker never calls Forget %s, but no statement on that path is passed only by paths that end the retry cycle (a Forget there would also run before a requeue): add %s.Forget(%s) by hand where the paths part",
			a.outcome(w, stuck), a.text(w.Queue), w.Item.Name())
		f.Chains = []Chain{a.pathChain(w, stuck, "processing ends without Forget")}
		return f
	}
	return a.forgetEdits(w, walk.Described(need), points, f)
}

// keepReason says why a worker that needs no Forget is correct.
func keepReason(paths []*walk.Path) string {
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

// forgetEdits builds the insertions, or a review finding when the queue
// or the item cannot be named at a point.
func (a *index) forgetEdits(w *walk.Worker, p *walk.Path, points []*walk.Point, f Finding) Finding {
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
		checks = append(checks, editCheck{pt.Pkg(), pt.CheckPos()})
	}
	f.Status, f.Edits, f.checks = Change, edits, checks
	f.Fix = forgetFix(points[0], edits[0])
	f.Pos = a.fset.Position(walk.PointOf(p, points).Pos())
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
func (a *index) outcome(w *walk.Worker, p *walk.Path) string {
	via := ""
	if p.Via != "" {
		via = ", " + p.Via
	}
	switch {
	case p.Success():
		return "after a successful " + p.SyncName
	case p.Synced.IsValid() && p.SyncErr():
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
func forgetFix(pt *walk.Point, e Edit) string {
	stmt := strings.TrimSpace(e.New)
	if pt.Kind != walk.ImplicitElse {
		return "insert " + stmt
	}
	stmt = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(stmt, "else {"), "}"))
	return "insert an else branch: " + stmt
}

// forgetStmt returns `queue.Forget(item)` spelled for the point's frame.
func (a *index) forgetStmt(w *walk.Worker, pt *walk.Point) (string, string) {
	return pt.Stmt("Forget")
}

// pathChain is the evidence: Get, the call handed the item whose outcome
// the path took, and where the path ends (or the item escapes).
func (a *index) pathChain(w *walk.Worker, p *walk.Path, last string) Chain {
	frames := []Frame{{Func: a.text(w.Get.Fun), Pos: a.fset.Position(w.Get.Pos())}}
	kind := ChainExit
	switch {
	case p.Success():
		kind = ChainSuccess
		frames = append(frames, Frame{Func: p.SyncName + " returns nil", Pos: a.fset.Position(p.Synced)})
	case p.Synced.IsValid() && p.SyncErr():
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
