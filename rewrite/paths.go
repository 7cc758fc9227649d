package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
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

// A point is a place where a statement can be inserted.
type point struct {
	kind  pointKind
	block *ast.BlockStmt // before block.List[index], or at block's start or end
	index int
	ifs   *ast.IfStmt // implicit else of ifs
	fr    *frame
}

type pointKind uint8

const (
	beforeStmt pointKind = iota
	blockStart
	blockEnd
	implicitElse
)

// pointKey identifies a point independently of the frame it was seen in.
type pointKey struct {
	kind  pointKind
	block *ast.BlockStmt
	index int
	ifs   *ast.IfStmt
}

func (p *point) key() pointKey { return pointKey{p.kind, p.block, p.index, p.ifs} }

// A path is one way through a worker.
type path struct {
	errs     map[types.Object]errVal
	syncs    map[types.Object]bool // error variables set by calls on the item
	synced   token.Pos             // the last call on the item that returned an error
	syncName string
	forgot   bool
	requeued bool
	trail    []*point // points passed since the last sync
	ret      errVal   // the error an inlined closure returned
	end      token.Pos
}

func (p *path) clone() *path {
	q := *p
	q.errs = make(map[types.Object]errVal, len(p.errs))
	for k, v := range p.errs {
		q.errs[k] = v
	}
	q.syncs = make(map[types.Object]bool, len(p.syncs))
	for k, v := range p.syncs {
		q.syncs[k] = v
	}
	q.trail = append([]*point(nil), p.trail...)
	return &q
}

// success reports whether the item was processed: a call on it returned
// an error and every such error on the path was nil.
func (p *path) success() bool {
	if !p.synced.IsValid() || p.requeued {
		return false
	}
	for v := range p.syncs {
		if p.errs[v] != errNil {
			return false
		}
	}
	return true
}

// A frame is one function body the walk is in: the worker, a closure it
// calls at once, or a helper it passes the item to.
type frame struct {
	fi       *fileInfo
	info     *types.Info
	parent   *frame
	items    map[types.Object]bool // variables holding the item itself
	derived  map[types.Object]bool // variables computed from the item
	queue    ast.Expr              // the queue as this frame spells it, if known
	returned []*path               // paths that left this frame by return
	top      bool                  // the worker's own frame: return ends the path
	depth    int
}

// errUnprovable stops the walk: the worker has a shape queuefix does not
// follow, so it is reported for review instead of guessed at.
type errUnprovable struct{ why string }

func (e *errUnprovable) Error() string { return e.why }

func unprovable(why string) error { return &errUnprovable{why} }

const maxPaths = 256

// walker follows the paths of one worker.
type walker struct {
	a       *analysis
	w       *worker
	ended   []*path
	clauses map[*ast.CaseClause]*ast.BlockStmt
}

// walk returns the paths from the worker's Get to their ends.
func (wk *walker) walk() ([]*path, error) {
	w := wk.w
	fr := &frame{
		fi:      w.fi,
		info:    w.pkg.TypesInfo,
		items:   map[types.Object]bool{w.item: true},
		derived: map[types.Object]bool{},
		queue:   w.queue,
		top:     true,
	}
	start := &path{errs: map[types.Object]errVal{}, syncs: map[types.Object]bool{}}
	falls, err := wk.block(fr, w.block, w.index+1, []*path{start})
	if err != nil {
		return nil, err
	}
	for _, p := range falls {
		p.end = w.block.Rbrace
	}
	return append(wk.ended, falls...), nil
}

// block runs b.List[from:] and returns the paths that fall off its end.
func (wk *walker) block(fr *frame, b *ast.BlockStmt, from int, in []*path) ([]*path, error) {
	cur := in
	for i := from; i < len(b.List) && len(cur) > 0; i++ {
		pass(cur, &point{kind: beforeStmt, block: b, index: i, fr: fr})
		var err error
		if cur, err = wk.stmt(fr, b.List[i], cur); err != nil {
			return nil, err
		}
		if len(cur) > maxPaths {
			return nil, unprovable("too many paths")
		}
	}
	pass(cur, &point{kind: blockEnd, block: b, fr: fr})
	return cur, nil
}

func pass(paths []*path, pt *point) {
	for _, p := range paths {
		p.trail = append(p.trail, pt)
	}
}

// stmt runs one statement on each path and returns the paths after it.
func (wk *walker) stmt(fr *frame, s ast.Stmt, in []*path) ([]*path, error) {
	switch s := s.(type) {
	case *ast.AssignStmt:
		return wk.assign(fr, s.Lhs, s.Rhs, in)
	case *ast.DeclStmt:
		return wk.decl(fr, s, in)
	case *ast.ExprStmt:
		if call, ok := ast.Unparen(s.X).(*ast.CallExpr); ok {
			return wk.call(fr, call, nil, in)
		}
		return in, nil
	case *ast.IfStmt:
		return wk.ifStmt(fr, s, in)
	case *ast.ReturnStmt:
		return nil, wk.ret(fr, s, in)
	case *ast.BranchStmt:
		return nil, wk.branch(fr, s, in)
	case *ast.BlockStmt:
		return wk.block(fr, s, 0, in)
	case *ast.LabeledStmt:
		return wk.stmt(fr, s.Stmt, in)
	case *ast.DeferStmt:
		if wk.mentionsForget(fr, s) {
			return nil, unprovable("Forget is called in a deferred function")
		}
		return in, nil
	case *ast.SwitchStmt:
		if s.Tag == nil && !wk.relevant(fr, s) {
			return in, nil
		}
		if s.Tag == nil {
			return wk.switchStmt(fr, s, in)
		}
		return nil, unprovable("the item is handled inside a switch on a value")
	case *ast.ForStmt, *ast.RangeStmt:
		if wk.relevant(fr, s) {
			return nil, unprovable("the item is handled inside a loop")
		}
		return in, nil
	case *ast.TypeSwitchStmt, *ast.SelectStmt:
		if wk.relevant(fr, s) {
			return nil, unprovable("the item is handled inside a type switch or select")
		}
		return in, nil
	}
	return in, nil
}

// ret ends the paths at a return: the worker's paths end, a closure's or
// helper's paths go back to the caller with the error they return.
func (wk *walker) ret(fr *frame, s *ast.ReturnStmt, in []*path) error {
	for _, p := range in {
		p.end = s.Pos()
	}
	if fr.top {
		wk.ended = append(wk.ended, in...)
		return nil
	}
	if len(s.Results) == 0 {
		fr.returned = append(fr.returned, in...)
		return nil
	}
	last := s.Results[len(s.Results)-1]
	for _, p := range in {
		fr.returned = append(fr.returned, wk.returnedErr(fr, last, p)...)
	}
	return nil
}

// returnedErr sets p.ret from the error expression a closure returns.
func (wk *walker) returnedErr(fr *frame, e ast.Expr, p *path) []*path {
	if !isErrorType(fr.info.TypeOf(e)) {
		return []*path{p}
	}
	if isNil(fr.info, e) {
		p.ret = errNil
		return []*path{p}
	}
	if v := identObj(fr.info, e); v != nil {
		p.ret = p.errs[v]
		return []*path{p}
	}
	if call, ok := ast.Unparen(e).(*ast.CallExpr); ok && wk.onItem(fr, call) {
		return wk.forkSync(fr, call, nil, []*path{p}, true)
	}
	p.ret = errNonNil
	return []*path{p}
}

// branch ends a worker's path at continue, break or goto: in an inline
// worker loop they end the item's iteration.
func (wk *walker) branch(fr *frame, s *ast.BranchStmt, in []*path) error {
	if !fr.top || s.Tok == token.GOTO || s.Tok == token.FALLTHROUGH {
		return unprovable("control leaves a helper or closure by " + s.Tok.String())
	}
	for _, p := range in {
		p.end = s.Pos()
	}
	wk.ended = append(wk.ended, in...)
	return nil
}

// ifStmt runs an if statement: each path takes the branch its condition
// allows, or both when the condition is unknown to it.
func (wk *walker) ifStmt(fr *frame, s *ast.IfStmt, in []*path) ([]*path, error) {
	if s.Init != nil {
		var err error
		if in, err = wk.stmt(fr, s.Init, in); err != nil {
			return nil, err
		}
	}
	yes, no := split(in, func(p *path) (bool, bool) { return evalCond(fr.info, s.Cond, p) })
	pass(yes, &point{kind: blockStart, block: s.Body, fr: fr})
	out, err := wk.block(fr, s.Body, 0, yes)
	if err != nil {
		return nil, err
	}
	switch els := s.Else.(type) {
	case nil:
		if len(out) > 0 {
			pass(no, &point{kind: implicitElse, ifs: s, fr: fr})
		}
		return append(out, no...), nil
	case *ast.BlockStmt:
		pass(no, &point{kind: blockStart, block: els, fr: fr})
		more, err := wk.block(fr, els, 0, no)
		return append(out, more...), err
	default:
		more, err := wk.stmt(fr, els, no)
		return append(out, more...), err
	}
}

// switchStmt runs a tagless switch as the if-else chain it is: each path
// takes the first case its knowledge makes true, and forks at cases it
// cannot decide.
func (wk *walker) switchStmt(fr *frame, s *ast.SwitchStmt, in []*path) ([]*path, error) {
	if s.Init != nil {
		var err error
		if in, err = wk.stmt(fr, s.Init, in); err != nil {
			return nil, err
		}
	}
	var out []*path
	var dflt *ast.CaseClause
	rest := in
	for _, c := range s.Body.List {
		cc := c.(*ast.CaseClause)
		if cc.List == nil {
			dflt = cc
			continue
		}
		var taken []*path
		taken, rest = splitCase(fr.info, cc, rest)
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

// splitCase returns the paths that take case cc and those that go on.
func splitCase(info *types.Info, cc *ast.CaseClause, in []*path) (taken, rest []*path) {
	return split(in, func(p *path) (bool, bool) { return anyCond(info, cc.List, p) })
}

// split divides paths by a condition: those it makes true, those it makes
// false, and a copy in each for those it leaves undecided.
func split(in []*path, cond func(*path) (val, known bool)) (yes, no []*path) {
	for _, p := range in {
		switch v, known := cond(p); {
		case known && v:
			yes = append(yes, p)
		case known:
			no = append(no, p)
		default:
			yes, no = append(yes, p), append(no, p.clone())
		}
	}
	return yes, no
}

// anyCond evaluates `case a, b:` (a || b) on a path.
func anyCond(info *types.Info, conds []ast.Expr, p *path) (bool, bool) {
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
func (wk *walker) clause(fr *frame, cc *ast.CaseClause, in []*path) ([]*path, error) {
	if len(in) == 0 {
		return nil, nil
	}
	for _, st := range cc.Body {
		if br, ok := st.(*ast.BranchStmt); ok && (br.Tok == token.FALLTHROUGH || br.Tok == token.BREAK) {
			return nil, unprovable("a switch case ends with " + br.Tok.String())
		}
	}
	b := wk.clauseBlock(cc)
	pass(in, &point{kind: blockStart, block: b, fr: fr})
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
func (wk *walker) decl(fr *frame, s *ast.DeclStmt, in []*path) ([]*path, error) {
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

// assign tracks what flows from the item, and forks at errors returned by
// calls on the item.
func (wk *walker) assign(fr *frame, lhs, rhs []ast.Expr, in []*path) ([]*path, error) {
	wk.trackDerived(fr, lhs, rhs)
	if len(rhs) == 1 {
		if call, ok := ast.Unparen(rhs[0]).(*ast.CallExpr); ok {
			return wk.call(fr, call, lhs, in)
		}
	}
	for i, r := range rhs {
		if i >= len(lhs) {
			break
		}
		v := identObj(fr.info, lhs[i])
		if v == nil || !isErrorType(v.Type()) {
			continue
		}
		for _, p := range in {
			p.errs[v] = wk.valueOf(fr, r, p)
			delete(p.syncs, v)
		}
	}
	return in, nil
}

// valueOf returns what a path knows about an error expression.
func (wk *walker) valueOf(fr *frame, e ast.Expr, p *path) errVal {
	if isNil(fr.info, e) {
		return errNil
	}
	if v := identObj(fr.info, e); v != nil {
		return p.errs[v]
	}
	return errUnknown
}

// trackDerived marks the left-hand variables that hold the item itself
// (through type assertions and conversions) or a value computed from it.
func (wk *walker) trackDerived(fr *frame, lhs, rhs []ast.Expr) {
	if len(rhs) == 0 {
		return
	}
	for i, l := range lhs {
		v := identObj(fr.info, l)
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

// isItem reports whether e is the item itself: a variable holding it, or
// such a variable type-asserted, converted or parenthesized.
func (fr *frame) isItem(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return fr.items[fr.info.ObjectOf(e)]
	case *ast.TypeAssertExpr:
		return fr.isItem(e.X)
	case *ast.CallExpr:
		if tv, ok := fr.info.Types[e.Fun]; ok && tv.IsType() && len(e.Args) == 1 {
			return fr.isItem(e.Args[0])
		}
	}
	return false
}

// mentions reports whether e uses the item or a value computed from it.
func (fr *frame) mentions(e ast.Node) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if obj := fr.info.ObjectOf(id); obj != nil && (fr.items[obj] || fr.derived[obj]) {
				found = true
			}
		}
		return !found
	})
	return found
}
