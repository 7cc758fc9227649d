package rewrite

import (
	"fmt"

	"github.com/queuefix/queuefix/rewrite/internal/walk"
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
// (internal/walk), counting Done of the item on the worker's queue, called
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
func (a *index) done(scan *walk.Scan) ([]Finding, []*ignore) {
	wl := scan.Walker(walk.Done)
	return a.verdicts(scan, ruleDone, func(*walk.Worker) bool { return true },
		func(w *walk.Worker, f Finding) Finding { return a.followDone(w, wl, f) },
		func(w *walk.Worker, f Finding) Finding {
			return Finding{Pos: a.fset.Position(w.Get.Pos()), Rule: ruleDone, Status: Keep, Chains: f.Chains,
				Message: fmt.Sprintf("the Done %s needs is inserted by another finding at line %d", a.text(w.Get.Fun), f.Pos.Line)}
		})
}

// followDone walks the worker's paths and plans its Done.
func (a *index) followDone(w *walk.Worker, wl *walk.Walker, f Finding) Finding {
	get := a.text(w.Get.Fun)
	if w.Odd != "" {
		f.Message = fmt.Sprintf("cannot follow the item of %s: %s; check by hand that every path calls %s.Done", get, w.Odd, a.text(w.Queue))
		return f
	}
	paths, err := wl.Paths(w)
	if err != nil {
		f.Message = fmt.Sprintf("cannot follow the paths after %s: %v; check by hand that every path calls %s.Done(%s)", get, err, a.text(w.Queue), w.Item.Name())
		return f
	}
	return a.planDone(w, wl, paths, f)
}

// planDone chooses where the paths without Done get one, or says why the
// worker is kept or left for review.
func (a *index) planDone(w *walk.Worker, wl *walk.Walker, paths []*walk.Path, f Finding) Finding {
	queue, item := a.text(w.Queue), w.Item.Name()
	if p := walk.FirstDoneEscape(paths); p != nil {
		f.Message = fmt.Sprintf("the item of %s escapes where %s (%s) on a path that does not call Done: only the code it escapes to knows when it is processed; check by hand that it calls %s.Done(%s) then",
			a.text(w.Get.Fun), p.Escape, a.line(p.EscapeAt), queue, item)
		f.Chains = []Chain{a.pathChain(w, p, p.Escape)}
		return f
	}
	need := walk.NeedingDone(paths, walk.Recovers(w))
	if len(need) == 0 {
		f.Status, f.Message = Keep, fmt.Sprintf("every exit after %s calls %s.Done(%s)", a.text(w.Get.Fun), queue, item)
		if len(paths) > 0 {
			f.Chains = []Chain{a.pathChain(w, walk.Described(paths), "processing ends after Done")}
		}
		return f
	}
	f.Chains = []Chain{a.pathChain(w, walk.Described(need), "processing ends without Done")}
	if pt := wl.DeferPoint(w, paths); pt != nil {
		return a.doneEdits(w, walk.Described(need), []*walk.Point{pt}, "defer ", f)
	}
	isNeed := make(map[*walk.Path]bool, len(need))
	for _, p := range need {
		isNeed[p] = true
	}
	points, stuck := walk.PlaceOnce(paths, need, func(p *walk.Path) bool { return isNeed[p] }, true)
	if stuck != nil {
		f.Message = fmt.Sprintf("worker never calls Done %s, but no statement on that path is passed only by paths without Done (a Done there would run twice on another path): add %s.Done(%s) by hand where the paths part",
			a.outcome(w, stuck), queue, item)
		f.Chains = []Chain{a.pathChain(w, stuck, "processing ends without Done")}
		return f
	}
	return a.doneEdits(w, walk.Described(need), points, "", f)
}

// doneEdits builds the insertions of `prefix queue.Done(item)`, or a
// review finding when the queue or the item cannot be named at a point.
func (a *index) doneEdits(w *walk.Worker, p *walk.Path, points []*walk.Point, prefix string, f Finding) Finding {
	var edits []Edit
	var checks []editCheck
	var stmt string
	for _, pt := range points {
		s, why := pt.Stmt("Done")
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
		checks = append(checks, editCheck{pt.Pkg(), pt.CheckPos()})
	}
	f.Status, f.Edits, f.checks = Change, edits, checks
	f.Fix = forgetFix(points[0], edits[0])
	f.Pos = a.fset.Position(walk.PointOf(p, points).Pos())
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
