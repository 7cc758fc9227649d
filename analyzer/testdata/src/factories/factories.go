// Package factories holds handlers that are not written in place: built
// by factories, kept in variables, assigned to a field, or methods of a
// handler type. Each is reported; none is fixed here, since a func value
// or an exported method may be called from elsewhere.
package factories

import (
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"

	"example.com/analyzertest/src/helpers"
)

type C struct {
	queue    workqueue.RateLimitingInterface
	onUpdate func(old, new interface{})
}

func New(inf cache.SharedIndexInformer) *C {
	c := &C{queue: workqueue.NewRateLimitingQueue(workqueue.DefaultControllerRateLimiter())}
	onDelete := func(obj interface{}) { c.queue.AddRateLimited(obj) }
	inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    c.handlerFor("add"), // want `AddFunc reaches AddRateLimited at factories.go:\d+:\d+: handler path: factories.\(\*C\).enqueueKind.func1; not fixed here: the handler is built by c.handlerFor, whose result other code may call`
		UpdateFunc: func(old, new interface{}) { c.queue.Add(new) },
		DeleteFunc: onDelete, // want `DeleteFunc reaches AddRateLimited at factories.go:\d+:\d+: handler path: factories.New.func1; not fixed here: the handler is kept in variable onDelete`
	})
	var fs cache.ResourceEventHandlerFuncs
	fs.AddFunc = c.enqueue // want `AddFunc reaches AddRateLimited at factories.go:\d+:\d+: handler path: factories.\(\*C\).enqueue; use Add: rate limiting`
	inf.AddEventHandler(fs)
	c.onUpdate = func(old, new interface{}) { c.queue.AddRateLimited(new) }
	inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    c.requeue,    // want `AddFunc reaches AddRateLimited at factories.go:\d+:\d+: handler path: factories.\(\*C\).requeue; not fixed here: factories.\(\*C\).worker reaches it and is neither a handler nor called in the package`
		UpdateFunc: c.onUpdate,   // want `UpdateFunc reaches AddRateLimited at factories.go:\d+:\d+: handler path: factories.New.func3; not fixed here: the handler is kept in field onUpdate`
		DeleteFunc: c.deleteBoth, // want `DeleteFunc reaches AddRateLimited at factories.go:\d+:\d+: .*; use Add: rate limiting` `DeleteFunc reaches AddRateLimited at factories.go:\d+:\d+: .*; use Add: rate limiting`
	})
	inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: c.ignored})
	inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: helpers.Handler(c.queue), // want `AddFunc reaches AddRateLimited at example.com/analyzertest/src/helpers/helpers.go:14:3: handler path: helpers.Handler.func1; not fixed here: the path leaves the package`
	})
	inf.AddEventHandler(&typed{q: c.queue})
	inf.AddEventHandler(quiet{})
	return c
}

// handlerFor is a factory: its result is the handler.
func (c *C) handlerFor(kind string) func(interface{}) { // want handlerFor:"returns a func that reaches AddRateLimited at .* via factories.\\(\\*C\\).enqueueKind.func1$"
	if kind == "" {
		return nil
	}
	return c.enqueueKind(kind)
}

func (c *C) enqueueKind(kind string) func(interface{}) { // want enqueueKind:"returns a func that reaches AddRateLimited at .* via factories.\\(\\*C\\).enqueueKind.func1$"
	return func(obj interface{}) {
		c.queue.AddRateLimited(obj)
	}
}

func (c *C) enqueue(obj interface{}) { // want enqueue:"via factories.\\(\\*C\\).enqueue$"
	c.queue.AddRateLimited(obj)
}

// requeue is shared with a worker that nothing in the package starts.
func (c *C) requeue(obj interface{}) { // want requeue:"via factories.\\(\\*C\\).requeue$"
	c.queue.AddRateLimited(obj)
}

func (c *C) worker() { // want worker:"via factories.\\(\\*C\\).worker -> factories.\\(\\*C\\).requeue$"
	item, _ := c.queue.Get()
	defer c.queue.Done(item)
	c.requeue(item)
}

// deleteBoth makes two rate-limited adds: each is reported and fixed.
func (c *C) deleteBoth(obj interface{}) { // want deleteBoth:"reaches AddRateLimited at .*:76:2, .*:77:2 via"
	c.queue.AddRateLimited(obj)
	c.queue.AddRateLimited(obj)
}

// ignored is left rate limited on purpose.
func (c *C) ignored(obj interface{}) {
	c.queue.AddRateLimited(obj) //queuefix:ignore adds are batched by the limiter on purpose
}

// typed is a handler type: its event methods are the handlers.
type typed struct {
	q workqueue.RateLimitingInterface
}

func (h *typed) OnAdd(obj interface{}) { // want `event handler cache.ResourceEventHandler.OnAdd reaches AddRateLimited at factories.go:\d+:\d+: handler path: factories.\(\*typed\).OnAdd -> factories.\(\*typed\).add; not fixed here: factories.\(\*typed\).OnAdd can be called from outside the package` OnAdd:"via factories.\\(\\*typed\\).OnAdd -> factories.\\(\\*typed\\).add$"
	h.add(obj)
}

func (h *typed) add(obj interface{}) { // want add:"via factories.\\(\\*typed\\).add$"
	h.q.AddRateLimited(obj)
}

func (h *typed) OnUpdate(old, new interface{}) { h.q.Add(new) }
func (h *typed) OnDelete(obj interface{})      { h.q.Add(obj) }

// quiet enqueues nothing.
type quiet struct{}

func (quiet) OnAdd(obj interface{})         {}
func (quiet) OnUpdate(old, new interface{}) {}
func (quiet) OnDelete(obj interface{})      {}
