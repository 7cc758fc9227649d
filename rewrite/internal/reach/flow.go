package reach

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// Flow answers "which functions can this func-typed value hold?" by walking
// SSA definitions backwards: through conversions and phis, from parameters
// to the arguments at every call site, from call results to the returned
// values, from captured variables to the closures' bindings, and through
// memory. Memory is modelled per struct field and per variable, as VTA does
// (field-based), so a func stored in c.enqueue anywhere flows to every load
// of an enqueue field of that struct type.
type Flow struct {
	g        *Graph
	fields   map[fieldKey][]ssa.Value  // values stored into a field
	vars     map[ssa.Value][]ssa.Value // values stored into an Alloc or Global
	bindings map[*ssa.Function][]*ssa.MakeClosure
}

// fieldKey names a struct field across instantiations: the origin type and
// the field index, or the field variable itself for unnamed structs.
type fieldKey struct {
	obj types.Object
	idx int
}

// NewFlow indexes the stores and closures of the graph's functions.
func NewFlow(g *Graph) *Flow {
	f := &Flow{
		g:        g,
		fields:   make(map[fieldKey][]ssa.Value),
		vars:     make(map[ssa.Value][]ssa.Value),
		bindings: make(map[*ssa.Function][]*ssa.MakeClosure),
	}
	for fn := range g.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if mc, ok := instr.(*ssa.MakeClosure); ok {
					callee := mc.Fn.(*ssa.Function)
					f.bindings[callee] = append(f.bindings[callee], mc)
				}
			}
		}
	}
	for fn := range g.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if st, ok := instr.(*ssa.Store); ok {
					f.indexStore(st)
				}
			}
		}
	}
	return f
}

func (f *Flow) indexStore(st *ssa.Store) {
	switch addr := st.Addr.(type) {
	case *ssa.FieldAddr:
		k := fieldOf(addr.X.Type(), addr.Field)
		f.fields[k] = append(f.fields[k], st.Val)
	case *ssa.Alloc, *ssa.Global:
		f.vars[addr] = append(f.vars[addr], st.Val)
	case *ssa.FreeVar:
		for _, v := range f.boundTo(addr) {
			f.vars[v] = append(f.vars[v], st.Val)
		}
	}
}

// boundTo returns the values bound to a free variable by every closure
// creation, following nested closures to the variable they capture.
func (f *Flow) boundTo(fv *ssa.FreeVar) []ssa.Value {
	idx := -1
	for i, v := range fv.Parent().FreeVars {
		if v == fv {
			idx = i
		}
	}
	var out []ssa.Value
	for _, mc := range f.bindings[fv.Parent()] {
		b := mc.Bindings[idx]
		if inner, ok := b.(*ssa.FreeVar); ok && inner != fv {
			out = append(out, f.boundTo(inner)...)
			continue
		}
		out = append(out, b)
	}
	return out
}

// fieldOf returns the key of field idx of the struct that t, or the
// struct t points to, is.
func fieldOf(t types.Type, idx int) fieldKey {
	t = types.Unalias(t)
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = types.Unalias(p.Elem())
	}
	if n, ok := t.(*types.Named); ok {
		return fieldKey{n.Origin().Obj(), idx}
	}
	if s, ok := t.Underlying().(*types.Struct); ok {
		return fieldKey{s.Field(idx), idx}
	}
	return fieldKey{}
}

// Funcs returns the functions v may hold, each with the position where the
// function value was created (a func literal, a method value, a name).
func (f *Flow) Funcs(v ssa.Value) map[*ssa.Function]token.Pos {
	out := make(map[*ssa.Function]token.Pos)
	f.trace(v, make(map[ssa.Value]bool), out)
	return out
}

func (f *Flow) trace(v ssa.Value, seen map[ssa.Value]bool, out map[*ssa.Function]token.Pos) {
	if v == nil || seen[v] {
		return
	}
	seen[v] = true
	for _, next := range f.sources(v, out) {
		f.trace(next, seen, out)
	}
}

// sources returns the values v is defined from, recording in out the
// functions v holds directly.
func (f *Flow) sources(v ssa.Value, out map[*ssa.Function]token.Pos) []ssa.Value {
	switch v := v.(type) {
	case *ssa.Function:
		record(out, v, v.Pos())
	case *ssa.MakeClosure:
		record(out, v.Fn.(*ssa.Function), v.Pos())
	case *ssa.ChangeType:
		return []ssa.Value{v.X}
	case *ssa.Convert:
		return []ssa.Value{v.X}
	case *ssa.MakeInterface:
		return []ssa.Value{v.X}
	case *ssa.ChangeInterface:
		return []ssa.Value{v.X}
	case *ssa.TypeAssert:
		return []ssa.Value{v.X}
	case *ssa.Phi:
		return v.Edges
	case *ssa.Parameter:
		return f.arguments(v)
	case *ssa.FreeVar:
		return f.boundTo(v)
	case *ssa.Call:
		return f.results(v, 0)
	case *ssa.Extract:
		if call, ok := v.Tuple.(*ssa.Call); ok {
			return f.results(call, v.Index)
		}
	case *ssa.UnOp:
		if v.Op == token.MUL {
			return f.loaded(v.X)
		}
	case *ssa.Field:
		return f.fields[fieldOf(v.X.Type(), v.Field)]
	}
	return nil
}

func record(out map[*ssa.Function]token.Pos, fn *ssa.Function, pos token.Pos) {
	if _, ok := out[fn]; !ok {
		out[fn] = pos
	}
}

// loaded returns the values stored at addr.
func (f *Flow) loaded(addr ssa.Value) []ssa.Value {
	switch addr := addr.(type) {
	case *ssa.FieldAddr:
		return f.fields[fieldOf(addr.X.Type(), addr.Field)]
	case *ssa.Alloc, *ssa.Global:
		return f.vars[addr]
	case *ssa.FreeVar:
		var out []ssa.Value
		for _, b := range f.boundTo(addr) {
			out = append(out, f.vars[b]...)
		}
		return out
	}
	return nil
}

// arguments returns the values passed for parameter p at every call site.
func (f *Flow) arguments(p *ssa.Parameter) []ssa.Value {
	fn := p.Parent()
	idx := -1
	for i, q := range fn.Params {
		if q == p {
			idx = i
		}
	}
	var out []ssa.Value
	for _, e := range f.g.Callers(fn) {
		common := e.Site.Common()
		i := idx
		if common.IsInvoke() {
			i-- // the receiver is common.Value, not an argument
		}
		if i >= 0 && i < len(common.Args) {
			out = append(out, common.Args[i])
		}
	}
	return out
}

// results returns the idx-th value returned by every callee of call.
func (f *Flow) results(call *ssa.Call, idx int) []ssa.Value {
	var out []ssa.Value
	for _, callee := range f.g.Callees(call) {
		for _, b := range callee.Blocks {
			ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
			if ok && idx < len(ret.Results) {
				out = append(out, ret.Results[idx])
			}
		}
	}
	return out
}
