package walk

import (
	"go/ast"
	"go/token"
	"go/types"

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

// storeIndex is the uses of unexported fields and package-level
// variables in the analysed files, and where append calls and composite literals are
// assigned, built once per scanner.
type storeIndex struct {
	uses   map[*types.Var][]placeUse
	dest   map[ast.Node]ast.Expr
	locals map[*types.Var]bool // maps and slices declared in a function body
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
	if lv, ok := info.Uses[id].(*types.Var); ok && sc.s.stores().locals[lv] {
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
	dst := v.sc.s.stores().dest[call]
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
	dst := v.sc.s.stores().dest[lit]
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
	if p.v.Exported() && !sc.s.stores().locals[p.v] {
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
	for _, u := range sc.s.stores().uses[p.v] {
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

// storeIndex indexes the analysed files' stores (Scan.stores builds it
// once).
func (s *Scan) storeIndex() *storeIndex {
	x := &storeIndex{uses: make(map[*types.Var][]placeUse), dest: make(map[ast.Node]ast.Expr), locals: make(map[*types.Var]bool)}
	for _, name := range s.sortedFiles() {
		x.add(s.files[name])
	}
	return x
}

// add records fi's uses of unexported fields and package-level variables
// (an exported one escapes whatever its uses), and the destinations of
// its appends and composite literals.
func (x *storeIndex) add(fi *File) {
	info := fi.Pkg.TypesInfo
	ast.PreorderStack(fi.Syntax, nil, func(n ast.Node, stack []ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			x.addDests(info, n)
		case *ast.Ident:
			x.addLocal(info, n, stack)
			if pv, ok := info.Uses[n].(*types.Var); ok && x.locals[pv] {
				x.addUse(pv, n, stack, fi)
				break
			}
			x.addPlace(info, n, stack, fi)
		case *ast.SelectorExpr:
			x.addPlace(info, n, stack, fi)
		}
		return true
	})
}

// addPlace records a use of an unexported field or package-level
// variable (an exported one escapes whatever its uses).
func (x *storeIndex) addPlace(info *types.Info, e ast.Expr, stack []ast.Node, fi *File) {
	if pv := placeVar(info, e); pv != nil && !pv.Exported() && !isSelected(e, stack) {
		x.addUse(pv, e, stack, fi)
	}
}

func (x *storeIndex) addUse(v *types.Var, e ast.Expr, stack []ast.Node, fi *File) {
	x.uses[v] = append(x.uses[v], placeUse{e: e, up: ancestors(stack), body: funcBody(stack), fi: fi})
}

// addLocal records a map or slice variable id declares in a function
// body: its uses are all in the analysed code.
func (x *storeIndex) addLocal(info *types.Info, id *ast.Ident, stack []ast.Node) {
	v, ok := info.Defs[id].(*types.Var)
	if !ok || v.IsField() || funcBody(stack) == nil || inSignature(stack) {
		return
	}
	switch v.Type().Underlying().(type) {
	case *types.Map, *types.Slice:
		x.locals[v] = true
	}
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

// addDests records where the appends and literals an assignment assigns go.
func (x *storeIndex) addDests(info *types.Info, as *ast.AssignStmt) {
	if len(as.Lhs) != len(as.Rhs) {
		return
	}
	for i, r := range as.Rhs {
		switch r := ast.Unparen(r).(type) {
		case *ast.CompositeLit:
			x.dest[r] = as.Lhs[i]
		case *ast.CallExpr:
			if b, ok := info.Uses[match.CalleeIdent(r)].(*types.Builtin); ok && b.Name() == "append" {
				x.dest[r] = as.Lhs[i]
			}
		}
	}
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
