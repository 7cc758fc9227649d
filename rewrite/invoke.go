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
func (a *graph) resolveOpenInvokes() {
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
		for _, sel := range byName[m.Name()] {
			if !types.Implements(sel.Recv(), iface) {
				continue
			}
			if fn := a.prog.prog.MethodValue(sel); a.prog.funcs[fn] {
				a.calls.AddEdge(site, fn)
			}
		}
	}
}

// openInvokes returns the interface method calls outside test files that
// the call graph resolved to nothing, by position.
func (a *graph) openInvokes() []ssa.CallInstruction {
	var out []ssa.CallInstruction
	for fn := range a.prog.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(ssa.CallInstruction)
				if ok && call.Common().IsInvoke() && !a.inTestFile(call.Pos()) && len(a.calls.Callees(call)) == 0 {
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

// targetMethods returns the methods of the target types (and pointers to
// them) whose bodies are analysed, by name, in a stable order.
func (a *graph) targetMethods() map[string][]*types.Selection {
	out := make(map[string][]*types.Selection)
	for _, pkg := range a.pkgs {
		sp := a.prog.ssa[pkg]
		if sp == nil {
			continue
		}
		names := make([]string, 0, len(sp.Members))
		for name, m := range sp.Members {
			if _, ok := m.(*ssa.Type); ok {
				names = append(names, name)
			}
		}
		sort.Strings(names)
		for _, name := range names {
			for _, sel := range methodsOf(a.prog.prog, sp.Members[name].Type()) {
				out[sel.Obj().Name()] = append(out[sel.Obj().Name()], sel)
			}
		}
	}
	return out
}
