package rewrite

// Items kept in places other than variables and parameters: an
// interface{} struct field, the key or value of a map, the element of a
// channel, the parameter of a func-typed field or variable:
//
//	pending map[interface{}]time.Time
//	retry   chan interface{}
//	enqueue func(interface{})
//
// => with T = string
//
//	pending map[string]time.Time
//	retry   chan string
//	enqueue func(string)
//
// Such a slot takes its family's T when every value that goes in is a
// queue item or a value of a concrete type (the evidence then counts for
// the family), and every function stored in a func-typed one is a method
// of a queue; what comes out (a field read, a receive, a range key) is an
// item then. The make() and empty literals that fill the slot are
// retyped with it. Otherwise the slot stays interface{}, and when what
// comes out of it reaches a queue the family is any, with the reason.

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/queuefix/queuefix/rewrite/internal/match"
)

// slot kinds, by where the interface{} sits in the declared type.
const (
	slotField = iota // the field's whole type
	slotKey          // a map's key
	slotElem         // a map's value or a channel's element
	slotParam        // a func type's parameter, slotParam+i
)

// slot is one interface{} position of a field's or variable's type.
type slot struct {
	fi    *fileInfo
	obj   types.Object
	kind  int
	node  ast.Expr   // the interface{} in the declaration
	inits []ast.Expr // the interface{} in make() and literals stored in it
	item  bool       // every value in is an item or concrete
	why   string     // why not, once a value says so
	seen  bool       // a value goes in
	// what the values in say, applied once every value is known good
	joins []fkey
	ev    []evidence
}

// verb says how the slot holds items, for the messages.
func (s *slot) verb() string {
	switch {
	case s.kind == slotKey:
		return "is keyed by"
	case s.kind >= slotParam:
		return "is called with"
	}
	return "holds"
}

func (s *slot) key() fkey { return fkey{kind: 's', pos: s.obj.Pos(), idx: s.kind} }

// findSlots returns the slots of the package's fields and variables; an
// exported one only when every importer is in the run (exportedSafe), as
// retyping it changes the package's API.
func (fl *flow) findSlots(files []*fileInfo) {
	fl.slots = make(map[types.Object][]*slot)
	fl.fromSlot = make(map[types.Object]*slot)
	fl.exportedOK, _ = fl.fm.exportedSafe(fl.tp.pkg)
	for _, fi := range files {
		if fi.generated {
			continue
		}
		info := fi.pkg.TypesInfo
		ast.Inspect(fi.syntax, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.StructType:
				for _, f := range n.Fields.List {
					for _, id := range f.Names {
						fl.addSlots(fi, info.Defs[id], f.Type, true)
					}
				}
			case *ast.ValueSpec:
				if n.Type != nil {
					for _, id := range n.Names {
						fl.addSlots(fi, info.Defs[id], n.Type, false)
					}
				}
			}
			return true
		})
	}
}

// addSlots records the interface{} positions of a declared type.
func (fl *flow) addSlots(fi *fileInfo, obj types.Object, typ ast.Expr, field bool) {
	if obj == nil || obj.Exported() && !fl.exportedOK {
		return
	}
	add := func(kind int, node ast.Expr) {
		fl.slots[obj] = append(fl.slots[obj], &slot{fi: fi, obj: obj, kind: kind, node: node})
	}
	info := fi.pkg.TypesInfo
	empty := func(e ast.Expr) bool { return isEmptyInterface(info.TypeOf(e)) }
	switch t := typ.(type) {
	case *ast.MapType:
		if empty(t.Key) {
			add(slotKey, t.Key)
		}
		if empty(t.Value) {
			add(slotElem, t.Value)
		}
	case *ast.ChanType:
		if empty(t.Value) {
			add(slotElem, t.Value)
		}
	case *ast.FuncType:
		i := 0
		for _, p := range t.Params.List {
			n := max(len(p.Names), 1)
			if n == 1 && empty(p.Type) {
				add(slotParam+i, p.Type)
			}
			i += n
		}
	default:
		if field && empty(typ) {
			add(slotField, typ)
		}
	}
}

// slotOf returns the slot of obj of the kind, or nil.
func (fl *flow) slotOf(obj types.Object, kind int) *slot {
	for _, s := range fl.slots[obj] {
		if s.kind == kind {
			return s
		}
	}
	return nil
}

// slotObj returns the field or variable e names.
func slotObj(info *types.Info, e ast.Expr) types.Object {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		v, _ := info.ObjectOf(e).(*types.Var)
		if v == nil {
			return nil
		}
		return v
	case *ast.SelectorExpr:
		if s := info.Selections[e]; s != nil && s.Kind() == types.FieldVal {
			return s.Obj()
		}
	}
	return nil
}

// readSlot returns the item slot a value expression reads, or nil: a
// field, a map value, a receive.
func (fl *flow) readSlot(info *types.Info, e ast.Expr) *slot {
	e = ast.Unparen(e)
	var s *slot
	switch x := e.(type) {
	case *ast.Ident, *ast.SelectorExpr:
		s = fl.slotOf(slotObj(info, x), slotField)
	case *ast.IndexExpr:
		s = fl.slotOf(slotObj(info, x.X), slotElem)
	case *ast.UnaryExpr:
		if x.Op == token.ARROW {
			s = fl.slotOf(slotObj(info, x.X), slotElem)
		}
	}
	return s
}

// itemOf returns the family key of e when it holds a queue item: an item
// variable, or a read of an item slot.
func (fl *flow) itemOf(info *types.Info, e ast.Expr) (fkey, bool) {
	if it := match.IdentObj(info, e); fl.items[it] {
		return fl.itemKey(it)
	}
	if s := fl.readSlot(info, e); s != nil && s.item {
		return s.key(), true
	}
	return fkey{}, false
}

func (fl *flow) isItem(info *types.Info, e ast.Expr) bool {
	_, ok := fl.itemOf(info, e)
	return ok
}

// slotWhy returns why what e reads is not an item, when it reads a slot
// that holds other values.
func (fl *flow) slotWhy(info *types.Info, e ast.Expr) string {
	s := fl.readSlot(info, e)
	if s == nil {
		s = fl.fromSlot[match.IdentObj(info, e)]
	}
	if s != nil && !s.item {
		return s.why
	}
	return ""
}

// followSlots decides which slots hold only items, joins them with the
// families of the items that go in, and marks the variables their items
// come out into; it reports whether it learnt something new.
func (fl *flow) followSlots(files []*fileInfo) bool {
	was := make(map[*slot]bool)
	for _, ss := range fl.slots {
		for _, s := range ss {
			was[s] = s.item
			s.item, s.why, s.seen, s.joins, s.ev = true, "", false, nil, nil
		}
	}
	for _, fi := range files {
		fl.slotWrites(fi)
	}
	changed := false
	for _, ss := range fl.slots {
		for _, s := range ss {
			s.item = s.item && s.seen
			changed = changed || s.item != was[s]
			if !s.item {
				continue
			}
			for _, k := range s.joins {
				fl.fm.union(s.key(), k)
			}
			for _, e := range s.ev {
				fl.fm.evidence = append(fl.fm.evidence, famEvidence{s.key(), e})
			}
		}
	}
	for _, fi := range files {
		changed = fl.slotReads(fi) || changed
	}
	return changed
}

// slotWrites checks every value that goes into a slot.
func (fl *flow) slotWrites(fi *fileInfo) {
	info := fi.pkg.TypesInfo
	ast.Inspect(fi.syntax, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if len(n.Lhs) == len(n.Rhs) {
				for i, l := range n.Lhs {
					fl.store(info, l, n.Rhs[i])
				}
			}
		case *ast.ValueSpec:
			for i, id := range n.Names {
				if i < len(n.Values) {
					fl.store(info, id, n.Values[i])
				}
			}
		case *ast.CompositeLit:
			for _, elt := range n.Elts {
				if kv, ok := elt.(*ast.KeyValueExpr); ok {
					if id, ok := kv.Key.(*ast.Ident); ok {
						if v, ok := info.ObjectOf(id).(*types.Var); ok && v.IsField() {
							fl.store(info, id, kv.Value)
						}
					}
				}
			}
		case *ast.IndexExpr:
			if s := fl.slotOf(slotObj(info, n.X), slotKey); s != nil {
				fl.put(info, s, n.Index)
			}
		case *ast.SendStmt:
			if s := fl.slotOf(slotObj(info, n.Chan), slotElem); s != nil {
				fl.put(info, s, n.Value)
			}
		case *ast.CallExpr:
			fl.slotCall(info, n)
		}
		return true
	})
}

// slotCall checks a call of a func-typed slot and delete(m, k).
func (fl *flow) slotCall(info *types.Info, call *ast.CallExpr) {
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok && id.Name == "delete" && len(call.Args) == 2 {
		if _, isBuiltin := info.ObjectOf(id).(*types.Builtin); isBuiltin {
			if s := fl.slotOf(slotObj(info, call.Args[0]), slotKey); s != nil {
				fl.put(info, s, call.Args[1])
			}
			return
		}
	}
	obj := slotObj(info, call.Fun)
	for i, arg := range call.Args {
		if s := fl.slotOf(obj, slotParam+i); s != nil {
			fl.put(info, s, arg)
		}
	}
}

// store checks the value stored into the place l names.
func (fl *flow) store(info *types.Info, l, v ast.Expr) {
	if ix, ok := ast.Unparen(l).(*ast.IndexExpr); ok {
		if s := fl.slotOf(slotObj(info, ix.X), slotElem); s != nil {
			fl.put(info, s, v)
		}
		return
	}
	obj := slotObj(info, l)
	for _, s := range fl.slots[obj] {
		switch {
		case s.kind == slotField:
			fl.put(info, s, v)
		case s.kind >= slotParam:
			fl.putFunc(info, s, v)
		default:
			fl.putContainer(info, s, v)
		}
	}
}

// put checks one value going into s.
func (fl *flow) put(info *types.Info, s *slot, v ast.Expr) {
	if !s.item {
		return
	}
	s.seen = true // a func slot's calls alone do not make it an item slot
	if k, ok := fl.itemOf(info, v); ok {
		s.joins = append(s.joins, k)
		return
	}
	if isConcrete(info, v) {
		s.ev = append(s.ev, evidence{types.Default(info.TypeOf(v)), v.Pos()})
		return
	}
	s.item = false
	s.why = fmt.Sprintf("%s also holds values that are not queue items (%s at %s)", s.obj.Name(), info.TypeOf(v), fl.a.shortPos(v.Pos()))
}

// putFunc checks a function stored in a func-typed slot: a method of a
// queue, whose item parameter takes the queue's T.
func (fl *flow) putFunc(info *types.Info, s *slot, v ast.Expr) {
	sel, ok := ast.Unparen(v).(*ast.SelectorExpr)
	if ok && queueMethods[sel.Sel.Name] && onDeprecated(info, sel) && s.kind == slotParam {
		if k, ok := fl.fm.root(info, sel.X); ok {
			s.joins = append(s.joins, k)
			s.seen = true
			return
		}
	}
	if isNilIdent(info, v) {
		return
	}
	s.item = false
	s.why = fmt.Sprintf("%s also holds %s (at %s), not a queue method", s.obj.Name(), fl.a.text(v), fl.a.shortPos(v.Pos()))
}

// putContainer checks a map or channel stored in a slot's place: one
// made here, whose interface{} is retyped with the slot's.
func (fl *flow) putContainer(info *types.Info, s *slot, v ast.Expr) {
	if node := initNode(v, s.kind); node != nil && isEmptyInterface(info.TypeOf(node)) {
		if !containsExpr(s.inits, node) {
			s.inits = append(s.inits, node)
		}
		return
	}
	if isNilIdent(info, v) {
		return
	}
	s.item = false
	s.why = fmt.Sprintf("%s also holds %s (at %s), made elsewhere", s.obj.Name(), fl.a.text(v), fl.a.shortPos(v.Pos()))
}

// initNode returns the interface{} of the key or element type in
// make(T, ...) or an empty T{} literal.
func initNode(v ast.Expr, kind int) ast.Expr {
	var typ ast.Expr
	switch v := ast.Unparen(v).(type) {
	case *ast.CallExpr:
		if id, ok := v.Fun.(*ast.Ident); ok && id.Name == "make" && len(v.Args) > 0 {
			typ = v.Args[0]
		}
	case *ast.CompositeLit:
		if len(v.Elts) == 0 {
			typ = v.Type
		}
	}
	switch t := typ.(type) {
	case *ast.MapType:
		if kind == slotKey {
			return t.Key
		}
		return t.Value
	case *ast.ChanType:
		return t.Value
	}
	return nil
}

func containsExpr(list []ast.Expr, e ast.Expr) bool {
	for _, x := range list {
		if x == e {
			return true
		}
	}
	return false
}

func isNilIdent(info *types.Info, e ast.Expr) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return false
	}
	_, isNil := info.ObjectOf(id).(*types.Nil)
	return isNil
}

// slotReads marks the variables items of item slots come out into: `k :=
// s.f`, `v, ok := <-ch`, `for k := range m`, `for v := range ch`; it
// reports whether it marked one.
func (fl *flow) slotReads(fi *fileInfo) bool {
	info := fi.pkg.TypesInfo
	changed := false
	mark := func(e ast.Expr, s *slot) {
		obj := match.IdentObj(info, e)
		if obj == nil || s == nil || fl.items[obj] || !isEmptyInterface(obj.Type()) {
			return
		}
		if !s.item {
			fl.fromSlot[obj] = s // for the message, should it reach a queue
			return
		}
		fl.items[obj] = true
		fl.fm.unionObj(s.key(), obj)
		changed = true
	}
	ast.Inspect(fi.syntax, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if len(n.Rhs) == 1 && (len(n.Lhs) == 1 || len(n.Lhs) == 2) {
				mark(n.Lhs[0], fl.readSlot(info, n.Rhs[0]))
			}
		case *ast.RangeStmt:
			obj := slotObj(info, n.X)
			if _, isChan := info.TypeOf(n.X).Underlying().(*types.Chan); isChan {
				mark(n.Key, fl.slotOf(obj, slotElem))
				return true
			}
			if n.Key != nil {
				mark(n.Key, fl.slotOf(obj, slotKey))
			}
			if n.Value != nil {
				mark(n.Value, fl.slotOf(obj, slotElem))
			}
		}
		return true
	})
	return changed
}

// slotEdits retypes the item slots of concrete families in fi.
func (fl *flow) slotEdits(fi *fileInfo) []itemEdit {
	var out []itemEdit
	for _, ss := range fl.slots {
		for _, s := range ss {
			if !s.item {
				continue
			}
			t := fl.fm.of(s.key()).t
			if t == nil {
				continue
			}
			for _, node := range append([]ast.Expr{s.node}, s.inits...) {
				if fl.a.fileOf(node.Pos()) != fi {
					continue
				}
				text := types.TypeString(t, fileQualifier(fi))
				old := fl.a.text(node)
				out = append(out, itemEdit{
					pos:     node.Pos(),
					edit:    fl.a.replace(fi, node.Pos(), node.End(), text),
					message: fmt.Sprintf("%s %s queue items only: %s → %s", s.obj.Name(), s.verb(), old, text),
					fix:     old + " → " + text,
				})
			}
		}
	}
	return out
}
