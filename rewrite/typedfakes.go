package rewrite

// Types of the package's own that stand in for the untyped queue: small
// interfaces that mirror some of its methods (the part of the queue a
// function needs, so its tests can pass a recorder), and hand-written
// fakes that implement such an interface or a deprecated one. With a
// concrete T their item parameters take T too, or the typed queue no
// longer fits them. Generated mocks are never edited (typed.go).

import (
	"go/types"

	"github.com/queuefix/queuefix/rewrite/internal/match"
)

// deprecatedIfaces are the deprecated interface types of the work-queue
// copies the package sees.
func (fl *flow) deprecatedIfaces() []*types.Interface {
	var out []*types.Interface
	for _, p := range fl.a.apiPkgs(match.WorkqueuePath) {
		for _, name := range []string{"Interface", "DelayingInterface", "RateLimitingInterface", "RateLimiter"} {
			if tn, ok := p.Scope().Lookup(name).(*types.TypeName); ok {
				if it, ok := tn.Type().Underlying().(*types.Interface); ok {
					out = append(out, it)
				}
			}
		}
	}
	return out
}

// findMirrors marks as items the first parameters of the queue methods of
// the package's mirror interfaces and of the fakes that implement them
// or a deprecated interface.
func (fl *flow) findMirrors(files []*fileInfo) {
	old := fl.deprecatedIfaces()
	var mirrors []*types.Interface
	var named []*types.TypeName
	for _, fi := range files {
		if fi.generated {
			continue
		}
		for _, obj := range fi.pkg.TypesInfo.Defs {
			tn, ok := obj.(*types.TypeName)
			if !ok || tn.Parent() != fi.pkg.Types.Scope() {
				continue
			}
			if it, ok := tn.Type().Underlying().(*types.Interface); ok {
				if isMirror(it, old) {
					mirrors = append(mirrors, it)
					fl.markItemParams(it)
				}
				continue
			}
			named = append(named, tn)
		}
	}
	for _, tn := range named {
		if embedsDeprecated(tn.Type()) {
			continue // a wrapper: its overrides are findOverrides'
		}
		for _, it := range append(mirrors, old...) {
			if types.Implements(tn.Type(), it) || types.Implements(types.NewPointer(tn.Type()), it) {
				fl.markItemParams(methodIface(tn.Type()))
				break
			}
		}
	}
}

// isMirror reports whether it has only queue item methods whose item is
// interface{}, and a deprecated queue or limiter implements it.
func isMirror(it *types.Interface, old []*types.Interface) bool {
	if it.NumMethods() == 0 {
		return false
	}
	for i := range it.NumMethods() {
		m := it.Method(i)
		if !queueMethods[m.Name()] || !hasItemParam(m) {
			return false
		}
	}
	for _, o := range old {
		if types.Implements(o, it) {
			return true
		}
	}
	return false
}

func hasItemParam(m *types.Func) bool {
	ps := m.Signature().Params()
	return ps.Len() > 0 && isEmptyInterface(ps.At(0).Type())
}

// methodIface returns the method set of *t as an interface, for marking.
func methodIface(t types.Type) *types.Interface {
	ms := types.NewMethodSet(types.NewPointer(t))
	var fns []*types.Func
	for i := range ms.Len() {
		if fn, ok := ms.At(i).Obj().(*types.Func); ok {
			fns = append(fns, fn)
		}
	}
	return types.NewInterfaceType(fns, nil)
}

// markItemParams marks the item parameters of it's queue methods.
func (fl *flow) markItemParams(it *types.Interface) {
	for i := range it.NumMethods() {
		m := it.Method(i)
		if queueMethods[m.Name()] && hasItemParam(m) && m.Pkg() != nil && m.Pkg().Path() == fl.tp.pkg.PkgPath {
			fl.items[m.Signature().Params().At(0)] = true
		}
	}
}

// embedsDeprecated reports whether t is a struct that embeds a
// deprecated queue or limiter.
func embedsDeprecated(t types.Type) bool {
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for i := range st.NumFields() {
		if f := st.Field(i); f.Embedded() && isDeprecatedType(f.Type()) {
			return true
		}
	}
	return false
}
