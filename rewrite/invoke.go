package rewrite

import (
	"go/types"
	"sort"

	"golang.org/x/tools/go/ssa"
)

// resolveOpenInvokes adds call edges that VTA cannot see. VTA resolves an
// interface method call from the types that flow to its receiver inside
// the analysed code; a receiver that comes from code that is not analysed
// (a queue's item, a cache, a dependency's result) resolves to nothing,
// and a helper called that way would look reached from event handlers
// only. Such a call gets an edge to every method, of every target type,
// that implements the interface method (class hierarchy analysis, limited
// to the code the rules can see). These edges are followed from every
// entry, but do not make a method lose its place among the entries: it
// may be called by code that is not analysed as well (hasCallers).
func (a *analysis) resolveOpenInvokes() {
	sites := a.openInvokes()
	if len(sites) == 0 {
		return
	}
	byName := a.targetMethods()
	for _, site := range sites {
		m := site.Common().Method
		iface, ok := site.Common().Value.Type().Underlying().(*types.Interface)
		if !ok {
			continue
		}
		for _, c := range byName[m.Name()] {
			if !types.Implements(c.recv, iface) {
				continue
			}
			if fn := a.prog.prog.MethodValue(c.sel); a.prog.funcs[fn] {
				a.graph.AddEdge(site, fn)
			}
		}
	}
}

// openInvokes returns the interface method calls outside test files that
// the call graph resolved to nothing, by position.
func (a *analysis) openInvokes() []ssa.CallInstruction {
	var out []ssa.CallInstruction
	for fn := range a.prog.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(ssa.CallInstruction)
				if ok && call.Common().IsInvoke() && !a.inTestFile(call.Pos()) && len(a.graph.Callees(call)) == 0 {
					out = append(out, call)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if c := a.comparePos(out[i].Pos(), out[j].Pos()); c != 0 {
			return c < 0
		}
		return out[i].Common().Method.Name() < out[j].Common().Method.Name()
	})
	return out
}

// A candidate is a method of a target type (or a pointer to one).
type candidate struct {
	recv types.Type
	sel  *types.Selection
}

// targetMethods returns the methods of the target types whose bodies are
// analysed, by name, in a stable order.
func (a *analysis) targetMethods() map[string][]candidate {
	out := make(map[string][]candidate)
	prog := a.prog.prog
	for _, pkg := range a.pkgs {
		sp := a.prog.ssa[pkg]
		if sp == nil {
			continue
		}
		names := make([]string, 0, len(sp.Members))
		for name, m := range sp.Members {
			if t, ok := m.(*ssa.Type); ok && !isGeneric(t.Type()) {
				names = append(names, name)
			}
		}
		sort.Strings(names)
		for _, name := range names {
			t := sp.Members[name].Type()
			for _, recv := range []types.Type{t, types.NewPointer(t)} {
				mset := prog.MethodSets.MethodSet(recv)
				for i := 0; i < mset.Len(); i++ {
					if sel := mset.At(i); mayMatter(prog, sel) {
						out[sel.Obj().Name()] = append(out[sel.Obj().Name()], candidate{recv, sel})
					}
				}
			}
		}
	}
	return out
}
