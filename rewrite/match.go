package rewrite

import (
	"go/ast"
	"go/types"
	"strings"
)

// Import paths of the APIs queuefix knows. GOPATH-era trees reach them
// through .../vendor/<path>, which isPkg accepts too.
const (
	workqueuePath = "k8s.io/client-go/util/workqueue"
	cachePath     = "k8s.io/client-go/tools/cache"
	crHandlerPath = "sigs.k8s.io/controller-runtime/pkg/handler"
	crEventPath   = "sigs.k8s.io/controller-runtime/pkg/event"
	crPriorityQ   = "sigs.k8s.io/controller-runtime/pkg/controller/priorityqueue"
)

// isPkg reports whether p is the package at path, vendored or not.
func isPkg(p *types.Package, path string) bool {
	if p == nil {
		return false
	}
	got := p.Path()
	if got == path {
		return true
	}
	// A vendored copy: ".../vendor/" + path, checked without building it.
	prefix, ok := strings.CutSuffix(got, path)
	return ok && strings.HasSuffix(prefix, "/vendor/")
}

// isNamed reports whether t (or *t) is the named type pkg.name, in any
// instantiation.
func isNamed(t types.Type, pkg string, names ...string) bool {
	n := namedOf(t)
	if n == nil || !isPkg(n.Obj().Pkg(), pkg) {
		return false
	}
	for _, name := range names {
		if n.Obj().Name() == name {
			return true
		}
	}
	return false
}

// queueIfaces are the workqueue interfaces that declare queue methods.
// Embedding makes a method report its declaring interface as receiver.
var queueIfaces = []string{
	"Interface", "DelayingInterface", "RateLimitingInterface",
	"TypedInterface", "TypedDelayingInterface", "TypedRateLimitingInterface",
}

// isQueueMethod reports whether fn is the client-go workqueue method name,
// whichever version, load mode or embedding it was reached through.
func isQueueMethod(fn *types.Func, name string) bool {
	if fn == nil || fn.Name() != name {
		return false
	}
	fn = fn.Origin()
	recv := fn.Signature().Recv()
	return recv != nil && isNamed(recv.Type(), workqueuePath, queueIfaces...)
}

// isPriorityAdd reports whether fn is an AddWithOpts that takes
// controller-runtime's priorityqueue.AddOpts: the priority queue's own, or
// a wrapper's with its signature.
func isPriorityAdd(fn *types.Func) bool {
	if fn == nil || fn.Name() != "AddWithOpts" {
		return false
	}
	params := fn.Signature().Params()
	return params.Len() > 0 && isNamed(params.At(0).Type(), crPriorityQ, "AddOpts")
}

// hasQueueMethod reports whether values of type t have a method name that is the
// workqueue's own (through embedding or a defined type over the interface).
func hasQueueMethod(t types.Type, name string) bool {
	obj, _, _ := types.LookupFieldOrMethod(t, true, nil, name)
	fn, ok := obj.(*types.Func)
	return ok && isQueueMethod(fn, name)
}

// isRateLimitingQueue reports whether t is, or embeds, a workqueue
// rate-limiting queue: its Forget is the workqueue's.
func isRateLimitingQueue(t types.Type) bool {
	return hasQueueMethod(t, "AddRateLimited") && hasQueueMethod(t, "Forget")
}

// handlerFields maps the struct types whose func fields client-go and
// controller-runtime call on informer events to those fields.
var handlerFields = map[[2]string][]string{
	{cachePath, "ResourceEventHandlerFuncs"}:              {"AddFunc", "UpdateFunc", "DeleteFunc"},
	{cachePath, "ResourceEventHandlerDetailedFuncs"}:      {"AddFunc", "UpdateFunc", "DeleteFunc"},
	{cachePath, "TypedResourceEventHandlerFuncs"}:         {"AddFunc", "UpdateFunc", "DeleteFunc"},
	{cachePath, "TypedResourceEventHandlerDetailedFuncs"}: {"AddFunc", "UpdateFunc", "DeleteFunc"},
	{crHandlerPath, "Funcs"}:                              {"CreateFunc", "UpdateFunc", "DeleteFunc", "GenericFunc"},
	{crHandlerPath, "TypedFuncs"}:                         {"CreateFunc", "UpdateFunc", "DeleteFunc", "GenericFunc"},
}

// handlerField returns "Type.Field" when field f of struct type t is an
// event-handler func field, or "".
func handlerField(t types.Type, f *types.Var) string {
	n := namedOf(t)
	if n == nil || n.Obj().Pkg() == nil {
		return ""
	}
	for key, fields := range handlerFields {
		if !isPkg(n.Obj().Pkg(), key[0]) || n.Obj().Name() != key[1] {
			continue
		}
		for _, name := range fields {
			if f.Name() == name {
				return shortPkg(key[0]) + "." + key[1] + "." + name
			}
		}
	}
	return ""
}

// shortPkg returns the last element of an import path.
func shortPkg(path string) string {
	return path[strings.LastIndex(path, "/")+1:]
}

// isQueueCall reports whether sel selects the workqueue method name.
func isQueueCall(info *types.Info, sel *ast.SelectorExpr, name string) bool {
	s := info.Selections[sel]
	if s == nil {
		return false
	}
	fn, ok := s.Obj().(*types.Func)
	return ok && isQueueMethod(fn, name)
}

// calledQueueMethod returns the workqueue method a call expression calls
// and its receiver, or "".
func calledQueueMethod(info *types.Info, call *ast.CallExpr) (string, ast.Expr) {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return "", nil
	}
	s := info.Selections[sel]
	if s == nil {
		return "", nil
	}
	fn, ok := s.Obj().(*types.Func)
	if !ok {
		return "", nil
	}
	fn = fn.Origin()
	recv := fn.Signature().Recv()
	if recv == nil || !isPkg(fn.Pkg(), workqueuePath) {
		return "", nil
	}
	return fn.Name(), sel.X
}
