// Package match recognises the client-go and controller-runtime APIs
// queuefix knows by type identity (package path, type and method name,
// vendored copies included), with the go/types predicates that decide it
// and that the walk and the rules share.
package match

import (
	"go/ast"
	"go/types"
	"strings"
)

// Import paths of the APIs queuefix knows. GOPATH-era trees reach them
// through .../vendor/<path>, which IsPkg accepts too.
const (
	WorkqueuePath = "k8s.io/client-go/util/workqueue"
	CachePath     = "k8s.io/client-go/tools/cache"
	crHandlerPath = "sigs.k8s.io/controller-runtime/pkg/handler"
	CREventPath   = "sigs.k8s.io/controller-runtime/pkg/event"
	crPriorityQ   = "sigs.k8s.io/controller-runtime/pkg/controller/priorityqueue"
)

// IsPkg reports whether p is the package at path, vendored or not.
func IsPkg(p *types.Package, path string) bool {
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
	n := NamedOf(t)
	if n == nil || !IsPkg(n.Obj().Pkg(), pkg) {
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

// IsQueueMethod reports whether fn is the client-go workqueue method name,
// whichever version, load mode or embedding it was reached through.
func IsQueueMethod(fn *types.Func, name string) bool {
	if fn == nil || fn.Name() != name {
		return false
	}
	fn = fn.Origin()
	recv := fn.Signature().Recv()
	return recv != nil && isNamed(recv.Type(), WorkqueuePath, queueIfaces...)
}

// IsPriorityAdd reports whether fn is an AddWithOpts that takes
// controller-runtime's priorityqueue.AddOpts: the priority queue's own, or
// a wrapper's with its signature.
func IsPriorityAdd(fn *types.Func) bool {
	if fn == nil || fn.Name() != "AddWithOpts" {
		return false
	}
	params := fn.Signature().Params()
	return params.Len() > 0 && isNamed(params.At(0).Type(), crPriorityQ, "AddOpts")
}

// HasQueueMethod reports whether values of type t have a method name that is the
// workqueue's own (through embedding or a defined type over the interface).
func HasQueueMethod(t types.Type, name string) bool {
	obj, _, _ := types.LookupFieldOrMethod(t, true, nil, name)
	fn, ok := obj.(*types.Func)
	return ok && IsQueueMethod(fn, name)
}

// IsRateLimitingQueue reports whether t is, or embeds, a workqueue
// rate-limiting queue: its Forget is the workqueue's.
func IsRateLimitingQueue(t types.Type) bool {
	return HasQueueMethod(t, "AddRateLimited") && HasQueueMethod(t, "Forget")
}

// HandlerFields maps the struct types whose func fields client-go and
// controller-runtime call on informer events to those fields.
var HandlerFields = map[[2]string][]string{
	{CachePath, "ResourceEventHandlerFuncs"}:              {"AddFunc", "UpdateFunc", "DeleteFunc"},
	{CachePath, "ResourceEventHandlerDetailedFuncs"}:      {"AddFunc", "UpdateFunc", "DeleteFunc"},
	{CachePath, "TypedResourceEventHandlerFuncs"}:         {"AddFunc", "UpdateFunc", "DeleteFunc"},
	{CachePath, "TypedResourceEventHandlerDetailedFuncs"}: {"AddFunc", "UpdateFunc", "DeleteFunc"},
	{crHandlerPath, "Funcs"}:                              {"CreateFunc", "UpdateFunc", "DeleteFunc", "GenericFunc"},
	{crHandlerPath, "TypedFuncs"}:                         {"CreateFunc", "UpdateFunc", "DeleteFunc", "GenericFunc"},
}

// HandlerField returns "Type.Field" when field f of struct type t is an
// event-handler func field, or "".
func HandlerField(t types.Type, f *types.Var) string {
	n := NamedOf(t)
	if n == nil || n.Obj().Pkg() == nil {
		return ""
	}
	for key, fields := range HandlerFields {
		if !IsPkg(n.Obj().Pkg(), key[0]) || n.Obj().Name() != key[1] {
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

// IsQueueCall reports whether sel selects the workqueue method name.
func IsQueueCall(info *types.Info, sel *ast.SelectorExpr, name string) bool {
	s := info.Selections[sel]
	if s == nil {
		return false
	}
	fn, ok := s.Obj().(*types.Func)
	return ok && IsQueueMethod(fn, name)
}

// CalledQueueMethod returns the workqueue method a call expression calls
// and its receiver, or "".
func CalledQueueMethod(info *types.Info, call *ast.CallExpr) (string, ast.Expr) {
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
	if recv == nil || !IsPkg(fn.Pkg(), WorkqueuePath) {
		return "", nil
	}
	return fn.Name(), sel.X
}
