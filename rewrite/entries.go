package rewrite

import (
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/ssa"

	"github.com/queuefix/queuefix/rewrite/internal/match"
)

// onlyOpenWorld reports whether fn, which nothing analysed calls and which
// is not handed to code that is not analysed, is an entry point only
// because code outside the analysed packages might call it: an exported
// function, or an exported method no named interface declares (a
// dependency may call that one through the interface: manager.Runnable's
// Start, reconcile.Reconciler's Reconcile). With Options.Closed such
// functions are no entry points. An unexported function nothing calls
// stays one: dead code, or called in ways the call graph does not show.
func onlyOpenWorld(fn *ssa.Function, ifaces *interfaces) bool {
	switch {
	case !token.IsExported(fn.Name()):
		return false
	case fn.Parent() != nil:
		return false // a closure nothing calls is handed somewhere
	case fn.Synthetic != "" && !isWrapper(fn):
		return false // package initializers, bound methods, thunks
	case fn.Signature.Recv() != nil && ifaces.declare(fn):
		return false
	}
	return true
}

func isWrapper(fn *ssa.Function) bool {
	return strings.HasPrefix(fn.Synthetic, "wrapper for ")
}

// interfaces indexes the named interface types of the import graph by
// method name, on first use: most runs never ask. It belongs to one
// buildGraph and is never shared.
type interfaces struct {
	pkgs    []*packages.Package
	byName  map[string][]*types.Interface
	generic map[string]bool // the method names generic interfaces declare
}

// declare reports whether some named interface type in the program
// declares fn's method and fn's receiver type implements it. A generic
// interface that declares the name counts without the check: its
// instantiations are not all known.
func (x *interfaces) declare(fn *ssa.Function) bool {
	recv := fn.Signature.Recv().Type()
	base := match.Deref(recv)
	ifaces := x.with(fn.Name())
	if x.generic[fn.Name()] {
		return true
	}
	for _, iface := range ifaces {
		if types.Implements(recv, iface) || types.Implements(types.NewPointer(base), iface) {
			return true
		}
	}
	return false
}

// with returns the package-level interface types of every package in
// the import graph that declare a method name.
func (x *interfaces) with(name string) []*types.Interface {
	if x.byName == nil {
		x.byName = make(map[string][]*types.Interface)
		x.generic = make(map[string]bool)
		seen := make(map[*types.Package]bool)
		for _, pkg := range x.pkgs {
			x.add(pkg.Types, seen)
		}
	}
	return x.byName[name]
}

func (x *interfaces) add(p *types.Package, seen map[*types.Package]bool) {
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
		generic := match.IsGeneric(tn.Type())
		for i := 0; i < iface.NumMethods(); i++ {
			m := iface.Method(i).Name()
			if generic {
				x.generic[m] = true
				continue
			}
			x.byName[m] = append(x.byName[m], iface)
		}
	}
	for _, imp := range p.Imports() {
		x.add(imp, seen)
	}
}
