package rewrite

import (
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// onlyOpenWorld reports whether fn, which nothing analysed calls and which
// is not handed to code that is not analysed, is an entry point only
// because code outside the analysed packages might call it: an exported
// function, or an exported method no named interface declares (a
// dependency may call that one through the interface: manager.Runnable's
// Start, reconcile.Reconciler's Reconcile). With Options.Closed such
// functions are no entry points. An unexported function nothing calls
// stays one: dead code, or called in ways the call graph does not show.
func (a *analysis) onlyOpenWorld(fn *ssa.Function) bool {
	switch {
	case !token.IsExported(fn.Name()):
		return false
	case fn.Parent() != nil:
		return false // a closure nothing calls is handed somewhere
	case fn.Synthetic != "" && !isWrapper(fn):
		return false // package initializers, bound methods, thunks
	case fn.Signature.Recv() != nil && a.inNamedInterface(fn):
		return false
	}
	return true
}

func isWrapper(fn *ssa.Function) bool {
	return strings.HasPrefix(fn.Synthetic, "wrapper for ")
}

// inNamedInterface reports whether some named interface type in the
// program declares fn's method and fn's receiver type implements it. A
// generic interface that declares the name counts without the check: its
// instantiations are not all known.
func (a *analysis) inNamedInterface(fn *ssa.Function) bool {
	recv := fn.Signature.Recv().Type()
	base := deref(recv)
	ifaces := a.interfacesWith(fn.Name())
	if a.genericMethods[fn.Name()] {
		return true
	}
	for _, iface := range ifaces {
		if types.Implements(recv, iface) || types.Implements(types.NewPointer(base), iface) {
			return true
		}
	}
	return false
}

// interfacesWith returns the package-level interface types of every
// package in the import graph that declare a method name.
func (a *analysis) interfacesWith(name string) []*types.Interface {
	if a.ifaces == nil {
		a.ifaces = make(map[string][]*types.Interface)
		a.genericMethods = make(map[string]bool)
		seen := make(map[*types.Package]bool)
		for _, pkg := range a.pkgs {
			a.indexInterfaces(pkg.Types, seen)
		}
	}
	return a.ifaces[name]
}

func (a *analysis) indexInterfaces(p *types.Package, seen map[*types.Package]bool) {
	if seen[p] {
		return
	}
	seen[p] = true
	scope := p.Scope()
	for _, n := range scope.Names() {
		tn, ok := scope.Lookup(n).(*types.TypeName)
		if !ok {
			continue
		}
		iface, ok := tn.Type().Underlying().(*types.Interface)
		if !ok {
			continue
		}
		generic := isGeneric(tn.Type())
		for i := 0; i < iface.NumMethods(); i++ {
			m := iface.Method(i).Name()
			if generic {
				a.genericMethods[m] = true
				continue
			}
			a.ifaces[m] = append(a.ifaces[m], iface)
		}
	}
	for _, imp := range p.Imports() {
		a.indexInterfaces(imp, seen)
	}
}
