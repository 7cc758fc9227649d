package walk

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"sort"

	"github.com/queuefix/queuefix/rewrite/internal/match"
	"github.com/queuefix/queuefix/rewrite/internal/mutant"
)

// A store of the item in a field, a package-level variable, a map or a
// slice held by one, or a struct literal's field lets the item escape only
// by data flow, not by syntax: when analysed code can read the item back
// from that place and then requeue or forget it, let it escape again or
// return it, or when code that is not analysed can reach the place (an
// exported field or variable, or the map or slice itself handed on). A
// cache keyed by the item that is only looked up, logged, compared or
// deleted from keeps the item, and the worker still gets its Forget.
//
// Places are told apart by their variable (types.Object identity, a
// field standing for that field of every value of its struct type) and
// found in the syntax, so the forget rule needs no SSA. A read that
// yields the item is one of:
//
//   - the variable itself, when it holds the item (c.last);
//   - m[k], when the item is a value of the map m (or an element of the
//     slice); a lookup m[k] of a map keyed by the item yields only the
//     value stored with it;
//   - the key or value variable of `range m`, whichever holds the item.
//
// Where such a read lands is summed up like any other code handed the
// item (effects.go), over the function around it. Any other use of a map
// or slice that holds the item than indexing, ranging, len, cap, delete,
// clear, a comparison, a store into it or an append to itself counts as
// an escape: the map goes where queuefix does not follow it.

// placePart says what of a place's variable holds the item.
type placePart uint8

const (
	whole  placePart = iota // the variable holds the item
	asKey                   // a key of the map the variable holds
	asElem                  // a value of the map, or an element of the slice
)

// A place is where a store puts the item.
type place struct {
	v    *types.Var // a field (its origin), a package-level variable, or a local map or slice
	part placePart
}

// maxPlaceDepth bounds how many places a read-back item is followed
// through.
const maxPlaceDepth = 4

// storeIndex answers, for the places the walks ask about, where their
// variables are used, which variables are local maps and slices, and where
// append calls and composite literals are assigned. It is filled on demand,
// one variable or node at a time: the walks ask about a few places per
// package, and indexing every use of every field of every file cost more
// than the questions. Each answer is what one pass over every scanned file
// would find (see stores_test.go), so it does not depend on the order of
// the questions. Each walker has its own, so nothing is shared between
// the rules' goroutines.
type storeIndex struct {
	s      *Scan
	uses   map[*types.Var][]placeUse
	locals map[*types.Var]bool
	dest   map[ast.Node]ast.Expr
}

// A placeUse is one use of a place's variable with what surrounds it.
type placeUse struct {
	e    ast.Expr       // c.m, or m
	up   [3]ast.Node    // parent, grandparent, great-grandparent
	body *ast.BlockStmt // the innermost function body around it, nil at package level
	fi   *File
}

// placeVar returns the field or package-level variable e denotes, or nil.
func placeVar(info *types.Info, e ast.Expr) *types.Var {
	switch e := ast.Unparen(e).(type) {
	case *ast.SelectorExpr:
		if s := info.Selections[e]; s != nil {
			if s.Kind() != types.FieldVal {
				return nil
			}
			return s.Obj().(*types.Var).Origin()
		}
		return globalVar(info, e.Sel)
	case *ast.Ident:
		return globalVar(info, e)
	}
	return nil
}

func globalVar(info *types.Info, id *ast.Ident) *types.Var {
	v, ok := info.Uses[id].(*types.Var)
	if !ok || v.Pkg() == nil || v.Parent() != v.Pkg().Scope() {
		return nil
	}
	return v
}

// containerVar returns the field, package-level variable or local map or
// slice (declared in a function body, not a parameter: the caller's map
// is reachable from the caller) that e denotes, or nil.
func (sc *scanner) containerVar(info *types.Info, e ast.Expr) *types.Var {
	if pv := placeVar(info, e); pv != nil {
		return pv
	}
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return nil
	}
	if lv, ok := info.Uses[id].(*types.Var); ok && sc.stores.isLocal(lv) {
		return lv
	}
	return nil
}

// storeEscapes reports whether the item stored into dst (the place
// itself, or m[k] of a map or slice it holds) may come back out to a work
// queue or to code that is not analysed.
func (v *view) storeEscapes(dst ast.Expr) bool {
	if idx, ok := ast.Unparen(dst).(*ast.IndexExpr); ok {
		return v.containerEscapes(idx.X, asElem)
	}
	pv := placeVar(v.info, dst)
	return v.sc == nil || pv == nil || v.sc.placeEscapes(place{pv, whole})
}

// containerEscapes reports whether the item put into the map or slice c
// (as part) may come back out.
func (v *view) containerEscapes(c ast.Expr, part placePart) bool {
	if v.sc == nil {
		return true
	}
	pv := v.sc.containerVar(v.info, c)
	return pv == nil || v.sc.placeEscapes(place{pv, part})
}

// appendEscapes reports whether an append of the item lets it escape: it
// does not when the result is assigned to a place no read lets it out.
func (v *view) appendEscapes(call *ast.CallExpr) bool {
	if v.sc == nil || len(call.Args) == 0 || v.isItem(call.Args[0]) {
		return true
	}
	dst := v.sc.stores.destOf(call)
	return dst == nil || v.containerEscapes(dst, asElem)
}

// literalEscapes reports whether the item as a key (or element) of a
// composite literal escapes: a struct field holds it as a place of its
// own; a map or slice literal escapes unless assigned to a place.
func (v *view) literalEscapes(lit *ast.CompositeLit, i int, part placePart) bool {
	if v.sc == nil {
		return true
	}
	if st, ok := v.info.TypeOf(lit).Underlying().(*types.Struct); ok {
		f := literalField(v.info, st, lit.Elts[i], i)
		return f == nil || v.sc.placeEscapes(place{f.Origin(), whole})
	}
	dst := v.sc.stores.destOf(lit)
	return dst == nil || v.containerEscapes(dst, part)
}

// literalField returns the field a struct literal's element sets.
func literalField(info *types.Info, st *types.Struct, elt ast.Expr, i int) *types.Var {
	if kv, ok := elt.(*ast.KeyValueExpr); ok {
		id, _ := kv.Key.(*ast.Ident)
		if id == nil {
			return nil
		}
		f, _ := info.Uses[id].(*types.Var)
		return f
	}
	if i < st.NumFields() {
		return st.Field(i)
	}
	return nil
}

// placeEscapes reports whether the item stored in p may come back out. A
// place met again while it is being judged adds nothing (the outer
// judgement covers its reads); such partial results are not kept.
func (sc *scanner) placeEscapes(p place) bool {
	switch mutant.Stores {
	case "never":
		return false
	case "syntax":
		return true
	}
	if p.v.Exported() && !sc.stores.isLocal(p.v) {
		return true // code that is not analysed may read it
	}
	if r, ok := sc.places[p]; ok {
		return r
	}
	if sc.placeBusy[p] {
		sc.cycle = true
		return false
	}
	if sc.placeDepth >= maxPlaceDepth || sc.depth >= maxSummaryDepth {
		return true
	}
	if sc.places == nil {
		sc.places, sc.placeBusy = make(map[place]bool), make(map[place]bool)
	}
	sc.placeBusy[p], sc.placeDepth = true, sc.placeDepth+1
	outer := sc.cycle
	sc.cycle = false
	r := sc.readsEscape(p)
	if !sc.cycle {
		sc.places[p] = r
	}
	sc.cycle = sc.cycle || outer
	delete(sc.placeBusy, p)
	sc.placeDepth--
	return r
}

// readsEscape reports whether some use of p's variable lets the item out.
func (sc *scanner) readsEscape(p place) bool {
	for _, u := range sc.stores.usesOf(p.v) {
		if sc.useEscapes(p, u) {
			return true
		}
	}
	return false
}

// useEscapes reports whether one use of p's variable lets the item out.
func (sc *scanner) useEscapes(p place, u placeUse) bool {
	if isStoredTo(u.e, u.up[0]) {
		return false
	}
	if p.part == whole {
		return sc.readEscapes(u, nil, u.e)
	}
	switch par := u.up[0].(type) {
	case *ast.IndexExpr:
		if par.X != u.e {
			return true
		}
		if isStoredTo(par, u.up[1]) || p.part == asKey {
			return false // a store into it, or a lookup by the item
		}
		return sc.readEscapes(u, nil, par)
	case *ast.RangeStmt:
		held := par.Value
		if p.part == asKey {
			held = par.Key
		}
		return sc.rangeEscapes(u, held)
	case *ast.CallExpr:
		return !sc.keptByCall(u, par)
	case *ast.SliceExpr:
		return !sc.assignedBack(u, par, u.up[1])
	case *ast.BinaryExpr:
		return false // compared, with nil
	}
	return true
}

// isStoredTo reports whether e is assigned to (or incremented) by parent.
func isStoredTo(e ast.Expr, parent ast.Node) bool {
	switch s := parent.(type) {
	case *ast.AssignStmt:
		for _, l := range s.Lhs {
			if l == e {
				return true
			}
		}
	case *ast.IncDecStmt:
		return s.X == e
	}
	return false
}

// keptByCall reports whether a call with the map or slice as an argument
// keeps what it holds: len, cap, delete, clear, or an append to itself.
func (sc *scanner) keptByCall(u placeUse, call *ast.CallExpr) bool {
	b, ok := u.fi.Pkg.TypesInfo.Uses[match.CalleeIdent(call)].(*types.Builtin)
	if !ok || len(call.Args) == 0 || call.Args[0] != u.e {
		return false
	}
	switch b.Name() {
	case "len", "cap", "delete", "clear":
		return true
	case "append":
		return sc.assignedBack(u, call, u.up[1])
	}
	return false
}

// assignedBack reports whether e, computed from the use's variable, is
// assigned back to that same variable (c.s = c.s[1:]).
func (sc *scanner) assignedBack(u placeUse, e ast.Expr, parent ast.Node) bool {
	as, ok := parent.(*ast.AssignStmt)
	if !ok || len(as.Lhs) != len(as.Rhs) {
		return false
	}
	info := u.fi.Pkg.TypesInfo
	for i, r := range as.Rhs {
		if r == e {
			pv := sc.containerVar(info, u.e)
			return pv != nil && sc.containerVar(info, as.Lhs[i]) == pv
		}
	}
	return false
}

// rangeEscapes reports whether the range variable that gets the item
// lets it out.
func (sc *scanner) rangeEscapes(u placeUse, held ast.Expr) bool {
	if held == nil {
		return false
	}
	obj := match.IdentObj(u.fi.Pkg.TypesInfo, held)
	if obj == nil {
		if id, ok := ast.Unparen(held).(*ast.Ident); ok && id.Name == "_" {
			return false
		}
		return true // stored straight into a field or map
	}
	return sc.readEscapes(u, obj, nil)
}

// readEscapes reports whether the function around a use, with obj (a
// variable) or read (an expression) holding the item, requeues or
// forgets it, lets it escape or returns it.
func (sc *scanner) readEscapes(u placeUse, obj types.Object, read ast.Expr) bool {
	if u.body == nil {
		return true // a package-level initializer
	}
	v := &view{sc: sc, info: u.fi.Pkg.TypesInfo, items: make(map[types.Object]bool), derived: make(map[types.Object]bool)}
	if obj != nil {
		v.items[obj] = true
	}
	if read != nil {
		v.reads = map[ast.Expr]bool{read: true}
	}
	v.aliases(u.body)
	for o := range v.items {
		if !within(o.Pos(), u.body) {
			return true // a variable of an enclosing function gets it
		}
	}
	eff := v.uses(u.body)
	return eff.touches() || eff.escape != "" || eff.returns
}

func within(pos token.Pos, n ast.Node) bool { return n.Pos() <= pos && pos < n.End() }

func newStoreIndex(s *Scan) *storeIndex {
	return &storeIndex{s: s, uses: make(map[*types.Var][]placeUse), locals: make(map[*types.Var]bool), dest: make(map[ast.Node]ast.Expr)}
}

// usesOf returns the uses of v that are places: v itself when it is a
// local map or slice, else v as an unexported field or package-level
// variable (an exported one escapes whatever its uses). They are in file
// and then source order. Such a variable is used only in its own package.
func (x *storeIndex) usesOf(v *types.Var) []placeUse {
	if list, ok := x.uses[v]; ok {
		return list
	}
	local := x.isLocal(v)
	var list []placeUse
	files := x.s.filesOf(v.Pkg())
	var all []token.Pos
	if places := x.s.places[v.Pkg()]; places != nil {
		all = places()[v]
	}
	for _, fi := range files {
		pos := posIn(all, fi.Syntax)
		var last ast.Decl
		for _, p := range pos {
			if d := declAt(fi.Syntax, p); d != nil && d != last {
				list = x.usesIn(fi, d, v, local, pos, list)
				last = d
			}
		}
	}
	x.uses[v] = list
	return list
}

// placePositions returns, for the variables of a package that may be
// places (see mayBePlace), the sorted positions of the identifiers that
// denote them (or, for a field of a generic type, an instance of it),
// read from the package's types.
func placePositions(info *types.Info) map[*types.Var][]token.Pos {
	m := make(map[*types.Var][]token.Pos)
	for id, obj := range info.Uses {
		if u, ok := obj.(*types.Var); ok && mayBePlace(u.Origin()) {
			m[u.Origin()] = append(m[u.Origin()], id.Pos())
		}
	}
	for _, pos := range m {
		slices.Sort(pos)
	}
	return m
}

// mayBePlace reports whether v may be asked about: an unexported field
// or package-level variable, or a map or slice.
func mayBePlace(v *types.Var) bool {
	if v.IsField() || v.Pkg() != nil && v.Parent() == v.Pkg().Scope() {
		return !v.Exported()
	}
	switch v.Type().Underlying().(type) {
	case *types.Map, *types.Slice:
		return true
	}
	return false
}

// posIn returns the positions of sorted pos that lie in n.
func posIn(pos []token.Pos, n ast.Node) []token.Pos {
	i := sort.Search(len(pos), func(i int) bool { return pos[i] >= n.Pos() })
	j := sort.Search(len(pos), func(i int) bool { return pos[i] >= n.End() })
	return pos[i:j]
}

// usesIn appends the uses of v in d to list, in preorder as a walk of
// the whole file meets them; pos holds the identifiers that may be one,
// and subtrees without any are skipped.
func (x *storeIndex) usesIn(fi *File, d ast.Decl, v *types.Var, local bool, pos []token.Pos, list []placeUse) []placeUse {
	info := fi.Pkg.TypesInfo
	ast.PreorderStack(d, []ast.Node{fi.Syntax}, func(n ast.Node, stack []ast.Node) bool {
		if !containsAny(n, pos) {
			return false
		}
		var e ast.Expr
		switch n := n.(type) {
		case *ast.Ident:
			if local && info.Uses[n] == v {
				e = n
				break
			}
			e = placeUse1(info, n, stack, v)
		case *ast.SelectorExpr:
			e = placeUse1(info, n, stack, v)
		}
		if e != nil {
			list = append(list, placeUse{e: e, up: ancestors(stack), body: funcBody(stack), fi: fi})
		}
		return true
	})
	return list
}

// placeUse1 returns e when it is a use of v as an unexported field or
// package-level variable, else nil.
func placeUse1(info *types.Info, e ast.Expr, stack []ast.Node, v *types.Var) ast.Expr {
	if pv := placeVar(info, e); pv == v && !pv.Exported() && !isSelected(e, stack) {
		return e
	}
	return nil
}

// isLocal reports whether v is a map or slice variable declared in a
// function body (not a parameter or result): its uses are all in the
// analysed code.
func (x *storeIndex) isLocal(v *types.Var) bool {
	if r, ok := x.locals[v]; ok {
		return r
	}
	r := false
	switch v.Type().Underlying().(type) {
	case *types.Map, *types.Slice:
		if fi := x.s.fileOf(v.Pos()); fi != nil && !v.IsField() {
			n, stack := nodeAt(fi, v.Pos(), func(n ast.Node) bool {
				id, ok := n.(*ast.Ident)
				return ok && fi.Pkg.TypesInfo.Defs[id] == v
			})
			r = n != nil && funcBody(stack) != nil && !inSignature(stack)
		}
	}
	x.locals[v] = r
	return r
}

// destOf returns what the assignment around an append call or composite
// literal n (its right-hand side, in parentheses or not) assigns it to,
// or nil.
func (x *storeIndex) destOf(n ast.Expr) ast.Expr {
	if d, ok := x.dest[n]; ok {
		return d
	}
	var d ast.Expr
	if fi := x.s.fileOf(n.Pos()); fi != nil {
		if found, stack := nodeAt(fi, n.Pos(), func(m ast.Node) bool { return m == n }); found != nil {
			d = assignedTo(fi.Pkg.TypesInfo, n, stack)
		}
	}
	x.dest[n] = d
	return d
}

// assignedTo returns the left-hand side that the assignment around r,
// whose ancestors are stack, assigns r to, if r is a composite literal
// or an append call.
func assignedTo(info *types.Info, r ast.Expr, stack []ast.Node) ast.Expr {
	i := len(stack) - 1
	for i >= 0 {
		if _, ok := stack[i].(*ast.ParenExpr); !ok {
			break
		}
		i--
	}
	if i < 0 {
		return nil
	}
	as, ok := stack[i].(*ast.AssignStmt)
	if !ok || len(as.Lhs) != len(as.Rhs) {
		return nil
	}
	if call, ok := r.(*ast.CallExpr); ok {
		if b, ok := info.Uses[match.CalleeIdent(call)].(*types.Builtin); !ok || b.Name() != "append" {
			return nil
		}
	} else if _, ok := r.(*ast.CompositeLit); !ok {
		return nil
	}
	for j, rhs := range as.Rhs {
		if ast.Unparen(rhs) == r {
			return as.Lhs[j]
		}
	}
	return nil
}

// nodeAt returns the first node at pos in fi, in preorder, for which
// match holds, with its ancestors from the file down.
func nodeAt(fi *File, pos token.Pos, match func(ast.Node) bool) (ast.Node, []ast.Node) {
	d := declAt(fi.Syntax, pos)
	if d == nil {
		return nil, nil
	}
	var found ast.Node
	var path []ast.Node
	ast.PreorderStack(d, []ast.Node{fi.Syntax}, func(n ast.Node, stack []ast.Node) bool {
		if found != nil || pos < n.Pos() || pos >= n.End() {
			return false
		}
		if n.Pos() == pos && match(n) {
			found, path = n, slices.Clone(stack)
			return false
		}
		return true
	})
	return found, path
}

// containsAny reports whether one of the sorted positions lies in n.
func containsAny(n ast.Node, pos []token.Pos) bool { return len(posIn(pos, n)) > 0 }

// declAt returns the declaration of f around pos, or nil.
func declAt(f *ast.File, pos token.Pos) ast.Decl {
	i := sort.Search(len(f.Decls), func(i int) bool { return f.Decls[i].End() > pos })
	if i < len(f.Decls) && f.Decls[i].Pos() <= pos {
		return f.Decls[i]
	}
	return nil
}

// inSignature reports whether the innermost function around stack's top
// is still in its signature (a parameter or result).
func inSignature(stack []ast.Node) bool {
	for i := len(stack) - 1; i >= 0; i-- {
		switch stack[i].(type) {
		case *ast.FuncType:
			return true
		case *ast.BlockStmt:
			return false
		}
	}
	return false
}

// isSelected reports whether n is the name a selector selects (the
// selector is the use).
func isSelected(n ast.Node, stack []ast.Node) bool {
	if len(stack) == 0 {
		return false
	}
	sel, ok := stack[len(stack)-1].(*ast.SelectorExpr)
	return ok && sel.Sel == n
}

// ancestors returns the innermost three nodes of stack, innermost first.
func ancestors(stack []ast.Node) [3]ast.Node {
	var up [3]ast.Node
	for i := range up {
		if j := len(stack) - 1 - i; j >= 0 {
			up[i] = stack[j]
		}
	}
	return up
}

// funcBody returns the innermost function body in stack, or nil.
func funcBody(stack []ast.Node) *ast.BlockStmt {
	for i := len(stack) - 1; i >= 0; i-- {
		switch f := stack[i].(type) {
		case *ast.FuncLit:
			return f.Body
		case *ast.FuncDecl:
			return f.Body
		}
	}
	return nil
}
