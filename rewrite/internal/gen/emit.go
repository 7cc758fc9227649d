package gen

import (
	"fmt"
	"go/format"
	"strings"
)

// emitter writes one controller package and notes each AddRateLimited
// site it writes, with the verdict the oracle expects there.
type emitter struct {
	s     Shape
	pkg   string
	sites []Site
	decls []string // top-level declarations, in order
}

// ret says how a piece of worker code leaves its function.
type ret struct {
	ok   string // after a success or a drop
	fail string // after a requeue
}

var (
	retTrue = ret{"return true", "return true"}
	retNil  = ret{"return nil", `return fmt.Errorf("sync %q failed, requeued", key)`}
	retVoid = ret{"return", "return"}
	retNone = ret{} // Done comes at the end: no early return
)

// site writes a marked AddRateLimited call and records its verdict.
func (e *emitter) site(recv, arg, verdict string, handler bool) string {
	prefix := "r"
	if handler {
		prefix = "h"
	}
	id := fmt.Sprintf("%s%d", prefix, len(e.sites)+1)
	e.sites = append(e.sites, Site{ID: id, Verdict: Verdict(verdict), Handler: handler})
	return fmt.Sprintf("%s.AddRateLimited(%s) // site:%s\n", recv, arg, id)
}

func (e *emitter) queueType() string {
	if e.s.Legacy {
		return "workqueue.RateLimitingInterface"
	}
	return "workqueue.TypedRateLimitingInterface[string]"
}

func (e *emitter) add(format string, args ...any) {
	e.decls = append(e.decls, fmt.Sprintf(format, args...))
}

// source returns the package's one file, gofmt-ed.
func (e *emitter) source() ([]byte, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "// Code for queuefix's execution harness; shape: %s\n\npackage %s\n\n", e.s, e.pkg)
	b.WriteString(e.imports())
	for _, d := range e.decls {
		b.WriteString("\n" + d + "\n")
	}
	src, err := format.Source([]byte(b.String()))
	if err != nil {
		return nil, fmt.Errorf("generated %s does not parse: %v\n%s", e.pkg, err, b.String())
	}
	return src, nil
}

func (e *emitter) imports() string {
	if e.s.CR {
		return `import (
	"context"

	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"example.com/qfgen/harness"
)

var (
	_ = harness.OK
	_ handler.Funcs
)
`
	}
	sync := ""
	if e.s.Store == "lookup" || e.s.Store == "parked" {
		sync = "\t\"sync\"\n" // the store's mutex; other shapes' sources stay as they were
	}
	return `import (
	"errors"
	"fmt"
` + sync + `	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"

	"example.com/qfgen/harness"
)

var (
	_ = errors.New
	_ = fmt.Errorf
	_ metav1.Object
	_ = utilruntime.HandleError
)
`
}

// emit writes the whole controller.
func (e *emitter) emit() {
	if e.s.CR {
		e.emitCR()
		return
	}
	e.emitController()
	e.emitHandlers()
	e.emitWorker()
	e.emitStore()
	e.emitSync()
}

func (e *emitter) emitController() {
	field, store := "", ""
	if e.s.Handler == "field" {
		field = "\n\tenqueueFn func(obj interface{})"
	}
	switch e.s.Store {
	case "lookup":
		field += "\n\tmu     sync.Mutex\n\tsynced map[string]time.Time"
		store = ", synced: map[string]time.Time{}"
	case "parked":
		field += "\n\tmu     sync.Mutex\n\tparked map[string]bool"
		store = ", parked: map[string]bool{}"
	}
	e.add(`const (
	maxRetries   = 3
	recheckDelay = 2 * time.Second
)

var (
	errTransient = errors.New("transient failure")
	errPermanent = errors.New("permanent failure")
)

// Controller is a generated controller.
type Controller struct {
	queue %s
	env   *harness.Env%s
}`, e.queueType(), field)
	queue := "env.Typed()"
	switch {
	case e.s.Ctor:
		// The queue the way controllers built it before client-go v0.31.
		queue = fmt.Sprintf("harness.Record(env, workqueue.NewNamedRateLimitingQueue(harness.Limiter(env, workqueue.DefaultControllerRateLimiter()), %q))", e.pkg)
	case e.s.Legacy:
		queue = "env.Legacy()"
	}
	init := ""
	if e.s.Handler == "field" {
		init = "\n\tc.enqueueFn = func(obj interface{}) {\n" + e.enqueueCall("c", "obj") + "}"
	}
	e.add(`// Build is the harness's entry point.
func Build(env *harness.Env) harness.Parts {
	c := &Controller{queue: %s, env: env%s}%s
	return harness.Parts{Handler: c.handlers(), Process: c.processNextItem}
}

// Run starts the workers (the harness drives processNextItem itself).
func (c *Controller) Run(workers int, stop <-chan struct{}) {
	defer c.queue.ShutDown()
	for i := 0; i < workers; i++ {
		go wait.Until(c.runWorker, time.Second, stop)
	}
	<-stop
}

func (c *Controller) runWorker() {
	for c.processNextItem() {
	}
}`, queue, store, init)
}

// enqueueCall is what a handler does with obj, through the receiver c.
func (e *emitter) enqueueCall(c, obj string) string {
	if e.s.Enqueue != "direct" {
		return fmt.Sprintf("%s.enqueue(%s)\n", c, obj)
	}
	return fmt.Sprintf("if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(%s); err == nil {\n%s}\n",
		obj, e.site(c+".queue", "key", "change", true))
}

func (e *emitter) emitHandlers() {
	e.emitEnqueueHelpers()
	funcs := func(c string) string {
		return fmt.Sprintf(`cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj interface{}) {
			%s},
		UpdateFunc: func(old, new interface{}) {
			%s},
		DeleteFunc: func(obj interface{}) {
			%s},
	}`, e.enqueueCall(c, "obj"), e.enqueueCall(c, "new"), e.enqueueCall(c, "obj"))
	}
	var body string
	switch e.s.Handler {
	case "closure":
		body = "return " + funcs("c")
	case "method":
		body = "return cache.ResourceEventHandlerFuncs{AddFunc: c.onAdd, UpdateFunc: c.onUpdate, DeleteFunc: c.onDelete}"
		e.add("func (c *Controller) onAdd(obj interface{}) {\n%s}", e.enqueueCall("c", "obj"))
		e.add("func (c *Controller) onUpdate(old, new interface{}) {\n%s}", e.enqueueCall("c", "new"))
		e.add("func (c *Controller) onDelete(obj interface{}) {\n%s}", e.enqueueCall("c", "obj"))
	case "factory":
		body = "add := enqueueFor(c.queue)\nreturn cache.ResourceEventHandlerFuncs{AddFunc: add, UpdateFunc: func(old, new interface{}) { add(new) }, DeleteFunc: add}"
		e.emitFactory()
	case "filter", "filterptr":
		amp := ""
		if e.s.Handler == "filterptr" {
			amp = "&"
		}
		body = fmt.Sprintf(`return %scache.FilteringResourceEventHandler{
		FilterFunc: func(obj interface{}) bool {
			_, ok := obj.(metav1.Object)
			return ok
		},
		Handler: %s,
	}`, amp, funcs("c"))
	case "custom":
		body = "return eventHandler{c}"
		e.add("// eventHandler is a handler type of its own.\ntype eventHandler struct{ c *Controller }")
		e.add("func (h eventHandler) OnAdd(obj interface{}, isInInitialList bool) {\n%s}", e.enqueueCall("h.c", "obj"))
		e.add("func (h eventHandler) OnUpdate(old, new interface{}) { h.OnAdd(new, false) }")
		e.add("func (h eventHandler) OnDelete(obj interface{}) {\n%s}", e.enqueueCall("h.c", "obj"))
	case "field":
		body = "return cache.ResourceEventHandlerFuncs{AddFunc: c.enqueueFn, UpdateFunc: func(old, new interface{}) { c.enqueueFn(new) }, DeleteFunc: c.enqueueFn}"
	}
	e.add("func (c *Controller) handlers() cache.ResourceEventHandler {\n%s\n}", body)
}

// emitFactory writes a function that returns the handler closure.
func (e *emitter) emitFactory() {
	call := "q.Add(key)\n"
	if e.s.Enqueue != "add" {
		call = e.site("q", "key", "change", true)
	}
	e.add(`func enqueueFor(q %s) func(obj interface{}) {
	return func(obj interface{}) {
		key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
		if err != nil {
			utilruntime.HandleError(err)
			return
		}
		%s}
}`, e.queueType(), call)
}

func (e *emitter) emitEnqueueHelpers() {
	if e.s.Enqueue == "direct" || e.s.Handler == "factory" {
		return
	}
	var call string
	switch e.s.Enqueue {
	case "helper":
		call = e.site("c.queue", "key", "change", true)
	case "shared":
		call = "c.requeue(key)\n"
	case "add":
		call = "c.queue.Add(key)\n"
	}
	e.add(`func (c *Controller) enqueue(obj interface{}) {
	key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	%s}`, call)
	if e.s.Enqueue == "shared" {
		param := "key string"
		if e.s.Ctor {
			param = "key interface{}" // untyped, as queues were before v0.31
		}
		e.add("// requeue is shared by the handlers and the worker's retry.\nfunc (c *Controller) requeue(%s) {\n%s}",
			param, e.site("c.queue", "key", "review", true))
	}
}

// retry is the worker's rate-limited requeue.
func (e *emitter) retry() string {
	if e.s.Enqueue == "shared" {
		return "c.requeue(key)\n"
	}
	return e.site("c.queue", "key", "keep", false)
}

func forget(item string, yes bool) string {
	if !yes {
		return ""
	}
	return fmt.Sprintf("c.queue.Forget(%s)\n", item)
}

func (e *emitter) drop() string {
	return forget("key", e.s.Drop) + "utilruntime.HandleError(fmt.Errorf(\"dropping %q out of the queue\", key))\n"
}

// perm is what a permanent failure does (when the code tells it apart).
func (e *emitter) perm() string {
	if e.s.Perm == "after" {
		return "c.queue.AddAfter(key, recheckDelay)\n"
	}
	return e.drop()
}

// failure handles a transient failure in if/else form: retry, or drop
// past the limit.
func (e *emitter) failure() string {
	if !e.s.Limit {
		return e.retry()
	}
	return fmt.Sprintf("if c.queue.NumRequeues(key) < maxRetries {\n%s} else {\n%s}\n", e.retry(), e.drop())
}
