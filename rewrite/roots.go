package rewrite

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/queuefix/queuefix/rewrite/internal/match"
)

// An escape is where a func value leaves the analysed code: an argument of
// a call into a dependency, or a store into a dependency's struct.
type escape struct {
	to  string // the callee or field it is handed to
	pos token.Pos
}

// A root is a function that client-go or controller-runtime calls when an
// informer delivers an event.
type root struct {
	how string    // "cache.ResourceEventHandlerFuncs.AddFunc", "(*T).OnAdd"
	pos token.Pos // where the func was stored, or the method declared
}

// findRoots returns the event-handler roots and the function values that
// escape into code without bodies here (and may be called from there).
//
// Roots are the functions that can flow into a handler func field
// (whatever path the value takes: variables, factories, method values,
// parameters of another package's builder) and the event methods of target
// types that implement a handler interface.
func (a *graph) findRoots() (map[*ssa.Function]root, map[*ssa.Function]escape) {
	roots := make(map[*ssa.Function]root)
	escaped := make(map[*ssa.Function]escape)
	for fn := range a.prog.funcs {
		if fn.Synthetic != "" && fn.Synthetic != packageInit {
			continue // wrappers store and pass nothing of their own
		}
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				a.visitInstr(instr, roots, escaped)
			}
		}
	}
	a.methodRoots(roots)
	return roots, escaped
}

// packageInit is the Synthetic of a package's initializer, which runs the
// package-level var initializers: handler literals live there too.
const packageInit = "package initializer"

func (a *graph) visitInstr(instr ssa.Instruction, roots map[*ssa.Function]root, escaped map[*ssa.Function]escape) {
	switch instr := instr.(type) {
	case *ssa.Store:
		fa, ok := instr.Addr.(*ssa.FieldAddr)
		if !ok || !match.IsFunc(instr.Val.Type()) {
			return
		}
		st := match.Deref(fa.X.Type()).Underlying().(*types.Struct)
		if how := match.HandlerField(match.Deref(fa.X.Type()), st.Field(fa.Field)); how != "" {
			for fn := range a.flow.Funcs(instr.Val) {
				if r, ok := roots[fn]; !ok || a.comparePos(instr.Pos(), r.pos) < 0 {
					roots[fn] = root{how: how, pos: instr.Pos()}
				}
			}
			return
		}
		if !a.isTargetType(fa.X.Type()) && !a.inTestFile(instr.Pos()) {
			to := types.TypeString(match.Deref(fa.X.Type()), match.ShortQualifier) + "." + st.Field(fa.Field).Name()
			a.escape(instr.Val, escape{to, instr.Pos()}, escaped)
		}
	case ssa.CallInstruction:
		if a.inTestFile(instr.Pos()) || a.callsTargets(instr) {
			return
		}
		handlers := a.paramRoots(instr, roots) // see unit.go
		for i, arg := range instr.Common().Args {
			if match.IsFunc(arg.Type()) && !handlers[i] {
				a.escape(arg, escape{calleeName(instr.Common()), instr.Pos()}, escaped)
			}
		}
	}
}

func (a *graph) escape(v ssa.Value, e escape, escaped map[*ssa.Function]escape) {
	for fn := range a.flow.Funcs(v) {
		if old, ok := escaped[fn]; !ok || a.comparePos(e.pos, old.pos) < 0 {
			escaped[fn] = e
		}
	}
}

// calleeName names what a call calls, for chains: wait.Until, Run.
func calleeName(c *ssa.CallCommon) string {
	if c.IsInvoke() {
		return c.Method.Name()
	}
	if fn := c.StaticCallee(); fn != nil {
		return funcName(fn)
	}
	return "a func value"
}

// callsTargets reports whether every callee of the call has a body here,
// so that arguments flowing into it are tracked by the call graph.
func (a *graph) callsTargets(call ssa.CallInstruction) bool {
	callees := a.calls.CalleesSeen(call)
	if len(callees) == 0 {
		return false
	}
	for _, fn := range callees {
		if !a.prog.funcs[fn] {
			return false
		}
	}
	return true
}

// isTargetType reports whether t (or *t) is a named type of a target package.
func (a *graph) isTargetType(t types.Type) bool {
	n := match.NamedOf(t)
	if n == nil || n.Obj().Pkg() == nil {
		return false
	}
	return a.prog.targets[n.Obj().Pkg()]
}

// methodRoots adds the event methods of target types that implement a
// client-go or controller-runtime handler interface.
func (a *graph) methodRoots(roots map[*ssa.Function]root) {
	for _, sp := range a.prog.ssa {
		for _, m := range sp.Members {
			t, ok := m.(*ssa.Type)
			if !ok || match.IsGeneric(t.Type()) {
				continue
			}
			iface, names := a.handlerMethods(t.Type())
			for _, name := range names {
				a.addMethodRoot(t, iface, name, roots)
			}
		}
	}
}

// A value of t and a pointer to one may both be registered: the methods of
// both method sets are roots (for a method promoted from an embedded field
// they are different wrappers).
func (a *graph) addMethodRoot(t *ssa.Type, iface, name string, roots map[*ssa.Function]root) {
	for _, recv := range []types.Type{t.Type(), types.NewPointer(t.Type())} {
		sel := a.prog.prog.MethodSets.MethodSet(recv).Lookup(t.Object().Pkg(), name)
		if sel == nil {
			continue
		}
		fn := a.prog.prog.MethodValue(sel)
		if fn == nil {
			continue
		}
		if _, ok := roots[fn]; !ok {
			roots[fn] = root{how: iface + "." + name, pos: sel.Obj().Pos()}
		}
	}
}

// handlerMethods returns the event methods of t when t (or *t) implements
// cache.ResourceEventHandler (either OnAdd form, or the typed variant) or a
// controller-runtime EventHandler (untyped or typed).
func (a *graph) handlerMethods(t types.Type) (string, []string) {
	return handlerMethods(t, a.apiPkgs(match.CachePath))
}

// handlerMethods is a.handlerMethods with the client-go cache packages
// of the program given.
func handlerMethods(t types.Type, caches []*types.Package) (string, []string) {
	ptr := types.NewPointer(t)
	switch {
	case isInformerHandler(ptr, caches):
		return "cache.ResourceEventHandler", []string{"OnAdd", "OnUpdate", "OnDelete"}
	case isControllerRuntimeHandler(ptr):
		return "handler.EventHandler", []string{"Create", "Update", "Delete", "Generic"}
	}
	return "", nil
}

// isInformerHandler reports whether t implements the ResourceEventHandler
// interface of one of the client-go cache packages.
func isInformerHandler(t types.Type, caches []*types.Package) bool {
	add := match.Method(t, "OnAdd")
	if add == nil || add.Params().Len() == 0 {
		return false
	}
	for _, iface := range informerHandlerIfaces(caches, add.Params().At(0).Type()) {
		if types.Implements(t, iface) {
			return true
		}
	}
	return false
}

// informerHandlerIfaces returns ResourceEventHandler from every client-go
// cache package given, and TypedResourceEventHandler[item] where a version
// declares it.
func informerHandlerIfaces(caches []*types.Package, item types.Type) []*types.Interface {
	var out []*types.Interface
	for _, p := range caches {
		if obj := p.Scope().Lookup("ResourceEventHandler"); obj != nil {
			if iface, ok := obj.Type().Underlying().(*types.Interface); ok {
				out = append(out, iface)
			}
		}
		if obj := p.Scope().Lookup("TypedResourceEventHandler"); obj != nil {
			if inst, err := types.Instantiate(nil, obj.Type(), []types.Type{item}, true); err == nil {
				out = append(out, inst.Underlying().(*types.Interface))
			}
		}
	}
	return out
}

// isControllerRuntimeHandler reports whether t's Create method takes a
// controller-runtime event and a workqueue rate-limiting queue.
func isControllerRuntimeHandler(t types.Type) bool {
	for _, name := range []string{"Create", "Update", "Delete", "Generic"} {
		sig := match.Method(t, name)
		if sig == nil || !match.HasParam(sig, isCREvent) || !match.HasParam(sig, match.IsRateLimitingQueue) {
			return false
		}
	}
	return true
}

func isCREvent(t types.Type) bool {
	n := match.NamedOf(t)
	return n != nil && match.IsPkg(n.Obj().Pkg(), match.CREventPath)
}
