package walk

// Where on the paths the rules place a statement (Forget, Done): points
// that only the paths needing it pass, after the last call handed the
// item, and the statement spelled for the frame at the point.

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"sort"

	"github.com/queuefix/queuefix/rewrite/internal/match"
)

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
func (wl *Walker) DeferPoint(w *Worker, paths []*Path) *Point {
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
	fr := &frame{fi: w.File, info: w.pkg.TypesInfo, sc: wl.sc, queue: w.Queue, items: map[types.Object]bool{w.Item: true}, top: true}
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

// Stmt returns `queue.method(item)` spelled for the point's frame, or
// why it cannot be.
func (pt *Point) Stmt(method string) (string, string) {
	fr, s := pt.fr, pt.fr.sc.s
	queue, why := s.queueAt(fr, pt)
	if why != "" {
		return "", why
	}
	item := s.itemVar(fr, pt)
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
func (s *Scan) queueAt(fr *frame, pt *Point) (string, string) {
	switch {
	case fr.queue != nil:
		if !s.resolvesSame(fr, fr.queue, pt) {
			return "", s.text(fr.queue) + " means something else at that point"
		}
		return s.text(fr.queue), ""
	case fr.queueRef != nil:
		if !visibleAt(pt, fr.queueRef.root) {
			return "", fr.queueRef.text() + " means something else at that point"
		}
		return fr.queueRef.text(), ""
	}
	return "", "the queue has no name in " + s.frameName(fr)
}

// itemVar returns the variable of the frame (or the frames around it)
// that holds the item and is visible at the point, preferring the earliest.
func (s *Scan) itemVar(fr *frame, pt *Point) types.Object {
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
	pkg := pt.fr.fi.Pkg
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
func (s *Scan) resolvesSame(fr *frame, e ast.Expr, pt *Point) bool {
	info := s.fileOf(e.Pos()).Pkg.TypesInfo
	ok := true
	ast.Inspect(e, func(n ast.Node) bool {
		id, isID := n.(*ast.Ident)
		if !isID {
			return ok
		}
		if obj := info.Uses[id]; obj != nil && !match.IsField(obj) && !visibleAt(pt, obj) {
			ok = false
		}
		return ok
	})
	return ok
}

func (s *Scan) frameName(fr *frame) string {
	if fr.parent == nil {
		return "the worker"
	}
	return "a helper"
}
