package walk

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"maps"
	"slices"

	"github.com/queuefix/queuefix/rewrite/internal/match"
)

// The Forget rule follows every path from a worker's Get to the end of the
// item's processing, forking at each error a call returns (nil or not) and
// at each condition it cannot decide, and inlining the closures the worker
// calls at once and the helpers it hands the item to. That makes it
// path-sensitive: a Forget inside handleErr(err, key) counts only on the
// paths where handleErr is called with a nil error.

// errVal is what a path knows about an error variable.
type errVal uint8

const (
	errUnknown errVal = iota
	errNil
	errNonNil
)

// A Point is a place where a statement can be inserted.
type Point struct {
	Kind  PointKind
	Block *ast.BlockStmt // before block.List[index], or at block's start or end
	Index int
	Ifs   *ast.IfStmt // implicit else of ifs
	fr    *frame
}

type PointKind uint8

const (
	BeforeStmt PointKind = iota
	BlockStart
	BlockEnd
	ImplicitElse
)

// pointKey identifies a point independently of the frame it was seen in.
type pointKey struct {
	kind  PointKind
	block *ast.BlockStmt
	index int
	ifs   *ast.IfStmt
}

func (p *Point) key() pointKey { return pointKey{p.Kind, p.Block, p.Index, p.Ifs} }

// A Path is one way through a worker. What the item met on it decides
// whether it needs Forget: a Path that requeues it (Add, AddAfter or
// AddRateLimited on the worker's queue), forgets it, panics or lets it
// escape does not get one; every other Path ends the item's retry cycle.
type Path struct {
	errs     map[types.Object]errVal
	bools    map[types.Object]bool // booleans the path knows (Get's shutdown flag)
	syncs    map[types.Object]bool // error variables set by calls on the item
	Synced   token.Pos             // the last call handed the item
	SyncName string
	Forgets  int // Forget calls of the item on the path
	Requeued bool
	Limited  bool // requeued with AddRateLimited
	panicked bool
	Escape   string // how the item escaped, "" when it did not
	EscapeAt token.Pos
	Via      string         // the last branch the path took that others did not
	trail    []*Point       // points passed since the last call handed the item
	all      []*Point       // every point passed since Get
	ret      errVal         // the error an inlined closure returned
	retVal   constant.Value // the constant a followed helper returned, nil if not one
	End      token.Pos
	Dones    int      // Done calls of the item on the path (the done rule)
	deferred []*frame // frames whose deferred Done of the item is pending
}

// Pkg returns the package a statement inserted at the point belongs to.
func (pt *Point) Pkg() *types.Package { return pt.fr.fi.Pkg.Types }

func (p *Path) clone() *Path {
	q := *p
	q.errs = maps.Clone(p.errs)
	q.bools = maps.Clone(p.bools)
	q.syncs = maps.Clone(p.syncs)
	q.trail = slices.Clone(p.trail)
	q.all = slices.Clone(p.all)
	q.deferred = slices.Clone(p.deferred)
	return &q
}

// Success reports whether a call handed the item returned an error and
// every such error on the path was nil.
func (p *Path) Success() bool {
	if !p.Synced.IsValid() || len(p.syncs) == 0 {
		return false
	}
	for v := range p.syncs {
		if p.errs[v] != errNil {
			return false
		}
	}
	return true
}

// SyncErr reports whether the path knows an error returned by a call
// handed the item (it forked on that error).
func (p *Path) SyncErr() bool { return len(p.syncs) > 0 }

// NeedsForget reports whether the path ends the item's retry cycle
// without Forget and without letting the item go elsewhere.
func (p *Path) NeedsForget() bool {
	return p.Forgets == 0 && !p.Requeued && !p.panicked && p.Escape == ""
}

// mayForget reports whether a Forget may run on the path although it does
// not need one: it requeues with Add or AddAfter only, which do not read
// the failure count, and has not forgotten the item yet.
func (p *Path) mayForget() bool {
	return p.Requeued && !p.Limited && p.Forgets == 0 && !p.panicked && p.Escape == ""
}

// Escaped reports whether the item Escaped on a path that neither
// requeues nor forgets it.
func (p *Path) Escaped() bool {
	return p.Forgets == 0 && !p.Requeued && !p.panicked && p.Escape != ""
}

func (p *Path) escapes(why string, at token.Pos) {
	if p.Escape == "" {
		p.Escape, p.EscapeAt = why, at
	}
}

// A frame is one function body the walk is in: the worker, a closure it
// calls at once, or a helper that requeues or forgets the item.
type frame struct {
	fi       *File
	info     *types.Info
	sc       *scanner
	parent   *frame
	items    map[types.Object]bool // variables holding the item itself
	derived  map[types.Object]bool // variables computed from the item
	queue    ast.Expr              // the queue as this frame spells it, if known
	queueRef *queueRef             // else the queue passed on from the caller (queueref.go)
	returned []*Path               // paths that left this frame by return
	top      bool                  // the worker's own frame: return ends the path
	shared   bool                  // a helper other code calls too: no place for Forget
	depth    int
}

// view returns the frame as the summaries see code (effects.go).
func (fr *frame) view() *view {
	return &view{sc: fr.sc, info: fr.info, items: fr.items, derived: fr.derived}
}

// errUnprovable stops the walk: the worker has a shape queuefix does not
// follow, so it is reported for review instead of guessed at.
type errUnprovable struct{ why string }

func (e *errUnprovable) Error() string { return e.why }

func unprovable(why string) error { return &errUnprovable{why} }

const maxPaths = 256

// walker follows the paths of one worker.
type walker struct {
	s       *Scan
	w       *Worker
	sc      *scanner
	uses    map[*types.Var]*fieldUse // how each queue field is used (fields.go)
	ended   []*Path
	clauses map[*ast.CaseClause]*ast.BlockStmt
	inLoop  int // walking one iteration of a loop body, for its returns
	// nextShared marks the next inlined frame as a helper others call.
	nextShared bool
	// mode says what the walk follows: for Done, Done calls, deferred
	// ones included, are counted and decide what is followed; requeues
	// and Forget are not the walk's business (done.go).
	mode Mode
}

// walk returns the paths from the worker's Get to their ends. Only paths
// on which Get did not report a shut-down queue are followed, and on them
// the item Get returned is not nil.
func (wk *walker) walk() ([]*Path, error) {
	w := wk.w
	fr := &frame{
		fi:      w.File,
		info:    w.pkg.TypesInfo,
		sc:      wk.sc,
		items:   map[types.Object]bool{w.Item: true},
		derived: map[types.Object]bool{},
		queue:   w.Queue,
		top:     true,
	}
	start := &Path{errs: map[types.Object]errVal{w.Item: errNonNil}, bools: map[types.Object]bool{}, syncs: map[types.Object]bool{}}
	if w.quit != nil {
		start.bools[w.quit] = false
	}
	falls, err := wk.block(fr, w.block, w.index+1, []*Path{start})
	if err != nil {
		return nil, err
	}
	for _, p := range falls {
		p.End = w.block.Rbrace
	}
	return append(wk.ended, falls...), nil
}

// block runs b.List[from:] and returns the paths that fall off its end.
func (wk *walker) block(fr *frame, b *ast.BlockStmt, from int, in []*Path) ([]*Path, error) {
	cur := in
	for i := from; i < len(b.List) && len(cur) > 0; i++ {
		wk.pass(cur, &Point{Kind: BeforeStmt, Block: b, Index: i, fr: fr})
		var err error
		if cur, err = wk.stmt(fr, b.List[i], cur); err != nil {
			return nil, err
		}
		if len(cur) > maxPaths {
			return nil, unprovable("it has too many paths")
		}
	}
	wk.pass(cur, &Point{Kind: BlockEnd, Block: b, fr: fr})
	return cur, nil
}

// pass records that the paths pass a point. Points inside a loop body are
// no place for Forget (it would run once per iteration) and are not kept.
func (wk *walker) pass(paths []*Path, pt *Point) {
	if wk.inLoop > 0 {
		return
	}
	for _, p := range paths {
		if !pt.fr.isShared() {
			p.trail = append(p.trail, pt)
		}
		p.all = append(p.all, pt)
	}
}

// isShared reports whether the frame, or one it was inlined into, is a
// helper that other code calls too.
func (fr *frame) isShared() bool {
	for f := fr; f != nil; f = f.parent {
		if f.shared {
			return true
		}
	}
	return false
}

// stmt runs one statement on each path and returns the paths after it.
func (wk *walker) stmt(fr *frame, s ast.Stmt, in []*Path) ([]*Path, error) {
	switch s := s.(type) {
	case *ast.AssignStmt:
		return wk.assign(fr, s.Lhs, s.Rhs, in)
	case *ast.DeclStmt:
		return wk.decl(fr, s, in)
	case *ast.ExprStmt:
		if call, ok := ast.Unparen(s.X).(*ast.CallExpr); ok {
			return wk.call(fr, call, nil, in)
		}
		return wk.effects(fr, s, "an expression", in)
	case *ast.IfStmt:
		return wk.ifStmt(fr, s, in)
	case *ast.ReturnStmt:
		return wk.ret(fr, s, in)
	case *ast.BranchStmt:
		return nil, wk.branch(fr, s, in)
	case *ast.BlockStmt:
		return wk.block(fr, s, 0, in)
	case *ast.LabeledStmt:
		return wk.stmt(fr, s.Stmt, in)
	case *ast.DeferStmt:
		if wk.mode == Done {
			return wk.deferStmt(fr, s, in)
		}
		if wk.mentionsForget(fr, s) {
			return nil, unprovable("Forget is called in a deferred function")
		}
		return wk.effects(fr, s, "a deferred call", in)
	case *ast.SwitchStmt:
		return wk.switchStmt(fr, s, in)
	case *ast.TypeSwitchStmt:
		return wk.typeSwitch(fr, s, in)
	case *ast.ForStmt, *ast.RangeStmt, *ast.SelectStmt:
		return wk.opaque(fr, s, in)
	case *ast.GoStmt:
		if wk.mode == Done {
			return wk.goStmt(fr, s, in)
		}
	}
	return wk.effects(fr, s, "a statement", in)
}

// effects applies what n does with the item to every path: an escape
// marks them, a requeue or Forget inside n cannot be placed on a path.
func (wk *walker) effects(fr *frame, n ast.Node, what string, in []*Path) ([]*Path, error) {
	eff := fr.view().uses(n)
	if wk.mode.blocks(eff) {
		return nil, unprovable(wk.mode.hidden() + " inside " + what + " at " + wk.s.line(n.Pos()))
	}
	if eff.escape != "" {
		for _, p := range in {
			p.escapes(eff.escape, eff.at)
		}
	}
	return in, nil
}

// opaque runs a loop or select statement as one step: its body may run
// any number of times, so it must neither requeue nor forget the item nor
// jump out of it; what it assigns is unknown after it. A return inside it
// is one more exit: the paths may leave there, with what the loop knows.
func (wk *walker) opaque(fr *frame, s ast.Stmt, in []*Path) ([]*Path, error) {
	what := "a loop"
	if _, ok := s.(*ast.SelectStmt); ok {
		what = "a select"
	}
	rets, jump := exits(s)
	if jump != nil {
		return nil, unprovable(what + " jumps out by " + jump.Tok.String() + " at " + wk.s.line(jump.Pos()))
	}
	in, err := wk.effects(fr, s, what, in)
	if err != nil {
		return nil, err
	}
	havoc(fr.info, s, in)
	if len(rets) == 0 {
		return in, nil
	}
	return in, wk.loopReturns(fr, s, rets, what, in)
}

// loopReturns adds the paths that leave through the returns of a loop:
// one iteration of a for or range body is walked (what is known of the
// variables it assigns is not), so a return under `if err != nil` returns
// a non-nil error; a select's returns leave with what the paths know.
func (wk *walker) loopReturns(fr *frame, s ast.Stmt, rets []*ast.ReturnStmt, what string, in []*Path) error {
	var body *ast.BlockStmt
	switch s := s.(type) {
	case *ast.ForStmt:
		body = s.Body
	case *ast.RangeStmt:
		body = s.Body
	}
	out := clonePaths(in)
	label(out, nil, "when "+what+" at "+wk.s.line(s.Pos())+" returns", "")
	if body == nil {
		for _, r := range rets {
			if _, err := wk.ret(fr, r, clonePaths(out)); err != nil {
				return err
			}
		}
		return nil
	}
	wk.inLoop++
	_, err := wk.block(fr, body, 0, out)
	wk.inLoop--
	return err
}

// exits returns the return statements in s (outside func literals), and
// the first goto or labeled break or continue, which the walk does not
// follow out of a loop.
func exits(s ast.Stmt) (rets []*ast.ReturnStmt, jump *ast.BranchStmt) {
	ast.Inspect(s, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			rets = append(rets, n)
		case *ast.BranchStmt:
			if jump == nil && (n.Tok == token.GOTO || n.Label != nil) {
				jump = n
			}
		}
		return true
	})
	return rets, jump
}

// havoc forgets what the paths know of the variables s assigns.
func havoc(info *types.Info, s ast.Node, in []*Path) {
	ast.Inspect(s, func(n ast.Node) bool {
		var lhs []ast.Expr
		switch n := n.(type) {
		case *ast.AssignStmt:
			lhs = n.Lhs
		case *ast.RangeStmt:
			lhs = []ast.Expr{n.Key, n.Value}
		}
		for _, l := range lhs {
			if l == nil {
				continue
			}
			if v := match.IdentObj(info, l); v != nil {
				for _, p := range in {
					delete(p.errs, v)
					delete(p.bools, v)
				}
			}
		}
		return true
	})
}

// ret ends the paths at a return: the worker's paths end, a closure's or
// helper's paths go back to the caller with the error they return.
// Returning the item itself lets it escape.
func (wk *walker) ret(fr *frame, s *ast.ReturnStmt, in []*Path) ([]*Path, error) {
	if call := returnedCall(s); call != nil && fr.top {
		return wk.retCall(fr, s, call, in)
	}
	eff := fr.view().uses(s)
	if wk.mode.blocks(eff) {
		return nil, unprovable(wk.mode.hidden() + " in a return statement at " + wk.s.line(s.Pos()))
	}
	for _, p := range in {
		p.End = s.Pos()
		if eff.escape != "" {
			p.escapes(eff.escape, eff.at)
		}
		if eff.returns {
			p.escapes("it is returned", s.Pos())
		}
	}
	if fr.top {
		wk.ended = append(wk.ended, in...)
		return nil, nil
	}
	for _, p := range in {
		p.retVal = returnedConst(fr.info, s)
	}
	if len(s.Results) == 0 {
		fr.returned = append(fr.returned, in...)
		return nil, nil
	}
	last := s.Results[len(s.Results)-1]
	for _, p := range in {
		fr.returned = append(fr.returned, wk.returnedErr(fr, last, p)...)
	}
	return nil, nil
}

// returnedConst returns the constant a return statement returns alone
// (the state a helper hands a switch), or nil.
func returnedConst(info *types.Info, s *ast.ReturnStmt) constant.Value {
	if len(s.Results) != 1 {
		return nil
	}
	return info.Types[s.Results[0]].Value
}

// returnedCall returns the call a return statement returns alone, or nil.
func returnedCall(s *ast.ReturnStmt) *ast.CallExpr {
	if len(s.Results) != 1 {
		return nil
	}
	call, _ := ast.Unparen(s.Results[0]).(*ast.CallExpr)
	return call
}

// retCall ends the worker's paths at `return f(...)`, after running the
// call like any other (a helper that requeues or forgets is followed).
func (wk *walker) retCall(fr *frame, s *ast.ReturnStmt, call *ast.CallExpr, in []*Path) ([]*Path, error) {
	out, err := wk.call(fr, call, nil, in)
	if err != nil {
		return nil, err
	}
	for _, p := range out {
		p.End = s.Pos()
	}
	wk.ended = append(wk.ended, out...)
	return nil, nil
}

// returnedErr sets p.ret from the error expression a closure returns.
func (wk *walker) returnedErr(fr *frame, e ast.Expr, p *Path) []*Path {
	if match.IsNil(fr.info, e) {
		p.ret = errNil // the untyped nil has no error type of its own
		return []*Path{p}
	}
	if !match.IsErrorType(fr.info.TypeOf(e)) {
		return []*Path{p}
	}
	if v := match.IdentObj(fr.info, e); v != nil {
		p.ret = p.errs[v]
		return []*Path{p}
	}
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if ok && wk.isSync(fr, call) {
		return wk.forkSync(fr, call, nil, []*Path{p}, true)
	}
	p.ret = errUnknown
	if ok && makesError(fr.info, call) {
		p.ret = errNonNil
	}
	return []*Path{p}
}

// makesError reports whether call builds a new error (fmt.Errorf,
// errors.New), which is never nil.
func makesError(info *types.Info, call *ast.CallExpr) bool {
	fn := match.CalleeFunc(info, call)
	if fn == nil || fn.Pkg() == nil {
		return false
	}
	path, name := fn.Pkg().Path(), fn.Name()
	return path == "fmt" && name == "Errorf" || path == "errors" && name == "New"
}

// branch ends a worker's path at continue, break or goto: in an inline
// worker loop they end the item's iteration.
func (wk *walker) branch(fr *frame, s *ast.BranchStmt, in []*Path) error {
	if wk.inLoop > 0 && s.Label == nil && (s.Tok == token.BREAK || s.Tok == token.CONTINUE) {
		return nil // ends the iteration: the paths after the loop stand for it
	}
	if !fr.top || s.Tok == token.GOTO || s.Tok == token.FALLTHROUGH {
		return unprovable("control leaves a helper or closure by " + s.Tok.String())
	}
	for _, p := range in {
		p.End = s.Pos()
	}
	wk.ended = append(wk.ended, in...)
	return nil
}

// ifStmt runs an if statement: each path takes the branch its condition
// allows, or both when the condition is unknown to it.
func (wk *walker) ifStmt(fr *frame, s *ast.IfStmt, in []*Path) ([]*Path, error) {
	in, err := wk.init(fr, s.Init, in)
	if err != nil {
		return nil, err
	}
	if in, err = wk.effects(fr, s.Cond, "a condition", in); err != nil {
		return nil, err
	}
	cond := exprString(fr.fi, s.Cond)
	yes, no := split(in, func(p *Path) (bool, bool) { return evalCond(fr.info, s.Cond, p) }, "when "+cond+" is true", "when "+cond+" is false")
	learnAll(fr.info, s.Cond, yes, no)
	wk.pass(yes, &Point{Kind: BlockStart, Block: s.Body, fr: fr})
	out, err := wk.block(fr, s.Body, 0, yes)
	if err != nil {
		return nil, err
	}
	switch els := s.Else.(type) {
	case nil:
		if len(out) > 0 {
			wk.pass(no, &Point{Kind: ImplicitElse, Ifs: s, fr: fr})
		}
		return append(out, no...), nil
	case *ast.BlockStmt:
		wk.pass(no, &Point{Kind: BlockStart, Block: els, fr: fr})
		more, err := wk.block(fr, els, 0, no)
		return append(out, more...), err
	default:
		more, err := wk.stmt(fr, els, no)
		return append(out, more...), err
	}
}

// init runs an if or switch statement's init statement, if any.
func (wk *walker) init(fr *frame, s ast.Stmt, in []*Path) ([]*Path, error) {
	if s == nil {
		return in, nil
	}
	return wk.stmt(fr, s, in)
}

// switchStmt runs a switch. A tagless one is the if-else chain it is:
// each path takes the first case its knowledge makes true, and forks at
// cases it cannot decide. A switch on a value (an outcome enum) forks
// into every case.
func (wk *walker) switchStmt(fr *frame, s *ast.SwitchStmt, in []*Path) ([]*Path, error) {
	in, err := wk.init(fr, s.Init, in)
	if err != nil {
		return nil, err
	}
	if s.Tag != nil {
		followed := false
		if in, followed, err = wk.tag(fr, s.Tag, in); err != nil {
			return nil, err
		}
		return wk.valueSwitch(fr, s.Body, exhaustive(fr.info, s), followed, in)
	}
	var out []*Path
	var dflt *ast.CaseClause
	rest := in
	for _, c := range s.Body.List {
		cc := c.(*ast.CaseClause)
		if cc.List == nil {
			dflt = cc
			continue
		}
		var taken []*Path
		taken, rest = splitCase(fr, cc, rest)
		more, err := wk.clause(fr, cc, taken)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	if dflt == nil {
		return append(out, rest...), nil
	}
	more, err := wk.clause(fr, dflt, rest)
	return append(out, more...), err
}

// tag runs a switch tag, evaluated once before any case, and reports
// whether it followed a helper there. A call that calls Done of the item
// (the done walk) or requeues or forgets it (the forget walk) is run as
// a call statement is, so a helper (switch c.process(key), where process
// defers Done or calls AddRateLimited) is followed path by path; any
// other tag is summed up.
func (wk *walker) tag(fr *frame, tag ast.Expr, in []*Path) ([]*Path, bool, error) {
	call, ok := ast.Unparen(tag).(*ast.CallExpr)
	if !ok || !wk.mode.blocks(fr.view().uses(call)) {
		in, err := wk.effects(fr, tag, "a switch tag", in)
		return in, false, err
	}
	for _, p := range in {
		p.retVal = nil
	}
	out, err := wk.call(fr, call, nil, in)
	return out, true, err
}

// valueSwitch runs the cases of a switch whose cases the walk cannot
// decide from what it knows of variables. When the tag is a followed
// helper (byValue), a path that returned a constant takes the first case
// that lists it, or the default; every other path forks into each case
// it may take, on copies. When no case may match (no default, and the
// cases do not cover every constant of the tag's type) the paths also go
// on past the switch.
func (wk *walker) valueSwitch(fr *frame, body *ast.BlockStmt, covered, byValue bool, in []*Path) ([]*Path, error) {
	var out []*Path
	var dflt *ast.CaseClause
	rest := in
	for _, c := range body.List {
		cc := c.(*ast.CaseClause)
		if cc.List == nil {
			dflt = cc
			continue
		}
		var taken []*Path
		taken, rest = caseByValue(fr.info, cc, byValue, rest)
		taken, err := wk.effects(fr, &ast.BlockStmt{List: exprStmts(cc.List)}, "a case expression", taken)
		if err != nil {
			return nil, err
		}
		label(taken, nil, "in "+caseText(fr.fi, cc), "")
		more, err := wk.clause(fr, cc, taken)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	switch {
	case dflt != nil:
		label(rest, nil, "in the default case", "")
		more, err := wk.clause(fr, dflt, rest)
		return append(out, more...), err
	case covered && byValue:
		// A known constant no case lists is a value outside the type's
		// constants: it matches no case.
		rest = slices.DeleteFunc(rest, func(p *Path) bool { return p.retVal == nil })
	case covered:
		return out, nil
	}
	label(rest, nil, "when no case matches", "")
	return append(out, rest...), nil
}

// caseByValue returns copies of the paths that may take case cc, and the
// paths that may go on to later cases: a path that returned a constant cc
// lists takes cc and no other case.
func caseByValue(info *types.Info, cc *ast.CaseClause, byValue bool, in []*Path) (taken, rest []*Path) {
	for _, p := range in {
		switch caseMatch(info, cc, byValue, p.retVal) {
		case matchSure:
			taken = append(taken, p)
		case matchMaybe:
			taken = append(taken, p.clone())
			rest = append(rest, p)
		default:
			rest = append(rest, p)
		}
	}
	return taken, rest
}

const (
	matchNever = iota
	matchMaybe
	matchSure
)

// caseMatch says whether a tag of value v (nil when unknown) matches one
// of cc's expressions: surely, maybe, or never.
func caseMatch(info *types.Info, cc *ast.CaseClause, byValue bool, v constant.Value) int {
	if !byValue || v == nil {
		return matchMaybe
	}
	m := matchNever
	for _, e := range cc.List {
		c := info.Types[e].Value
		switch {
		case c == nil || c.Kind() != v.Kind():
			m = matchMaybe
		case constant.Compare(c, token.EQL, v):
			return matchSure
		}
	}
	return m
}

// learnAll records what a condition tells the paths that took each branch.
func learnAll(info *types.Info, cond ast.Expr, yes, no []*Path) {
	for _, p := range yes {
		learn(info, cond, true, p)
	}
	for _, p := range no {
		learn(info, cond, false, p)
	}
}

// label records the branch the paths took, on paths that took different
// ones ("" leaves a side alone).
func label(yes, no []*Path, yesVia, noVia string) {
	for _, p := range yes {
		if yesVia != "" {
			p.Via = yesVia
		}
	}
	for _, p := range no {
		if noVia != "" {
			p.Via = noVia
		}
	}
}

// caseText returns "case A, B" for a case clause, as the source spells it.
func caseText(fi *File, cc *ast.CaseClause) string {
	if len(cc.List) == 0 {
		return "the default case"
	}
	first, last := cc.List[0], cc.List[len(cc.List)-1]
	return "case " + exprString(fi, &ast.BinaryExpr{X: first, OpPos: first.End(), Y: last})
}

func exprStmts(es []ast.Expr) []ast.Stmt {
	out := make([]ast.Stmt, len(es))
	for i, e := range es {
		out[i] = &ast.ExprStmt{X: e}
	}
	return out
}

func clonePaths(in []*Path) []*Path {
	out := make([]*Path, len(in))
	for i, p := range in {
		out[i] = p.clone()
	}
	return out
}

// typeSwitch runs a type switch as a switch on a value; when it switches
// on the item, each case's variable holds the item.
func (wk *walker) typeSwitch(fr *frame, s *ast.TypeSwitchStmt, in []*Path) ([]*Path, error) {
	in, err := wk.init(fr, s.Init, in)
	if err != nil {
		return nil, err
	}
	if fr.view().switchesOnItem(s) {
		for _, c := range s.Body.List {
			if obj := fr.info.Implicits[c]; obj != nil {
				fr.items[obj] = true
			}
		}
	}
	return wk.valueSwitch(fr, s.Body, false, false, in)
}

// exhaustive reports whether a switch's cases list every constant that
// the tag's named type declares in its package, so that one of them
// matches (an outcome enum switched on in full).
func exhaustive(info *types.Info, s *ast.SwitchStmt) bool {
	named, ok := types.Unalias(info.TypeOf(s.Tag)).(*types.Named)
	if !ok || named.Obj().Pkg() == nil {
		return false
	}
	listed := make(map[string]bool)
	for _, c := range s.Body.List {
		for _, e := range c.(*ast.CaseClause).List {
			if tv := info.Types[e]; tv.Value != nil {
				listed[tv.Value.ExactString()] = true
			}
		}
	}
	scope := named.Obj().Pkg().Scope()
	n := 0
	for _, name := range scope.Names() {
		c, ok := scope.Lookup(name).(*types.Const)
		if !ok || !types.Identical(c.Type(), named) {
			continue
		}
		if !listed[c.Val().ExactString()] {
			return false
		}
		n++
	}
	return n > 0
}

// splitCase returns the paths that take case cc and those that go on.
func splitCase(fr *frame, cc *ast.CaseClause, in []*Path) (taken, rest []*Path) {
	taken, rest = split(in, func(p *Path) (bool, bool) { return anyCond(fr.info, cc.List, p) }, "in "+caseText(fr.fi, cc), "")
	for _, c := range cc.List {
		learnAll(fr.info, c, nil, rest)
	}
	if len(cc.List) == 1 {
		learnAll(fr.info, cc.List[0], taken, nil)
	}
	return taken, rest
}

// split divides paths by a condition: those it makes true, those it makes
// false, and a copy in each for those it leaves undecided, labelled with
// the branch each copy took ("" leaves the label as it was).
func split(in []*Path, cond func(*Path) (val, known bool), yesVia, noVia string) (yes, no []*Path) {
	for _, p := range in {
		switch v, known := cond(p); {
		case known && v:
			yes = append(yes, p)
		case known:
			no = append(no, p)
		default:
			q := p.clone()
			label([]*Path{p}, []*Path{q}, yesVia, noVia)
			yes, no = append(yes, p), append(no, q)
		}
	}
	return yes, no
}

// anyCond evaluates `case a, b:` (a || b) on a path.
func anyCond(info *types.Info, conds []ast.Expr, p *Path) (bool, bool) {
	allKnown := true
	for _, c := range conds {
		v, known := evalCond(info, c, p)
		if known && v {
			return true, true
		}
		allKnown = allKnown && known
	}
	return false, allKnown
}

// clause runs a case body as a block of its own.
func (wk *walker) clause(fr *frame, cc *ast.CaseClause, in []*Path) ([]*Path, error) {
	if len(in) == 0 {
		return nil, nil
	}
	for _, st := range cc.Body {
		if br, ok := st.(*ast.BranchStmt); ok && (br.Tok == token.FALLTHROUGH || br.Tok == token.BREAK) {
			return nil, unprovable("a switch case ends with " + br.Tok.String())
		}
	}
	b := wk.clauseBlock(cc)
	wk.pass(in, &Point{Kind: BlockStart, Block: b, fr: fr})
	return wk.block(fr, b, 0, in)
}

// clauseBlock returns a block standing for a case body; the same one each
// time, since points are keyed by block.
func (wk *walker) clauseBlock(cc *ast.CaseClause) *ast.BlockStmt {
	if b := wk.clauses[cc]; b != nil {
		return b
	}
	if wk.clauses == nil {
		wk.clauses = make(map[*ast.CaseClause]*ast.BlockStmt)
	}
	b := &ast.BlockStmt{Lbrace: cc.Colon, List: cc.Body, Rbrace: cc.End()}
	wk.clauses[cc] = b
	return b
}

// decl runs `var x = f(...)` declarations like assignments.
func (wk *walker) decl(fr *frame, s *ast.DeclStmt, in []*Path) ([]*Path, error) {
	gd, ok := s.Decl.(*ast.GenDecl)
	if !ok || gd.Tok != token.VAR {
		return in, nil
	}
	for _, spec := range gd.Specs {
		vs := spec.(*ast.ValueSpec)
		lhs := make([]ast.Expr, len(vs.Names))
		for i, n := range vs.Names {
			lhs[i] = n
		}
		var err error
		if in, err = wk.assign(fr, lhs, vs.Values, in); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// assign tracks what flows from the item, records stores that let it
// escape, and runs a call on the right-hand side.
func (wk *walker) assign(fr *frame, lhs, rhs []ast.Expr, in []*Path) ([]*Path, error) {
	wk.trackDerived(fr, lhs, rhs)
	var eff effect
	fr.view().assign(lhs, rhs, &eff)
	if eff.escape != "" {
		for _, p := range in {
			p.escapes(eff.escape, eff.at)
		}
	}
	if len(rhs) == 1 {
		if call, ok := ast.Unparen(rhs[0]).(*ast.CallExpr); ok {
			return wk.call(fr, call, lhs, in)
		}
	}
	in, err := wk.effects(fr, &ast.BlockStmt{List: exprStmts(rhs)}, "an assignment", in)
	if err != nil {
		return nil, err
	}
	for i, r := range rhs {
		if i >= len(lhs) {
			break
		}
		wk.setKnown(fr, lhs[i], r, in)
	}
	return in, nil
}

// setKnown records what the paths know of an error or boolean variable
// assigned r.
func (wk *walker) setKnown(fr *frame, l, r ast.Expr, in []*Path) {
	v := match.IdentObj(fr.info, l)
	if v == nil {
		return
	}
	for _, p := range in {
		delete(p.bools, v)
		if match.IsErrorType(v.Type()) {
			p.errs[v] = wk.valueOf(fr, r, p)
			delete(p.syncs, v)
		}
	}
}

// valueOf returns what a path knows about an error expression.
func (wk *walker) valueOf(fr *frame, e ast.Expr, p *Path) errVal {
	if match.IsNil(fr.info, e) {
		return errNil
	}
	if v := match.IdentObj(fr.info, e); v != nil {
		return p.errs[v]
	}
	return errUnknown
}

// trackDerived marks the left-hand variables that hold the item itself
// (through type assertions, conversions to interfaces and helpers that
// return it) or a value computed from it.
func (wk *walker) trackDerived(fr *frame, lhs, rhs []ast.Expr) {
	if len(rhs) == 0 {
		return
	}
	for i, l := range lhs {
		v := match.IdentObj(fr.info, l)
		if v == nil {
			continue
		}
		r := rhs[0]
		if len(rhs) == len(lhs) {
			r = rhs[i]
		}
		switch {
		case i == 0 && fr.isItem(r):
			fr.items[v] = true
		case fr.mentions(r):
			fr.derived[v] = true
		}
	}
}

// isItem reports whether e is the item itself (see view.isItem).
func (fr *frame) isItem(e ast.Expr) bool {
	return fr.view().isItem(e)
}

// mentions reports whether e uses the item or a value computed from it.
func (fr *frame) mentions(e ast.Node) bool {
	return fr.view().mentionsAny(e)
}
