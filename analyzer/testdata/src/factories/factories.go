// Package factories holds handlers that are not written in place: built
// by factories, kept in variables, assigned to a field, or methods of a
// handler type. The engine follows each func value to the handler field,
// so each add is fixed unless something other than a handler reaches it.
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
	onDelete := func(obj interface{}) { c.queue.AddRateLimited(obj) } // want `reached only from event handlers: .*handler path: cache.ResourceEventHandlerFuncs.DeleteFunc \(factories.go:25:13\) -> factories.New.func1$`
	inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    c.handlerFor("add"),
		UpdateFunc: func(old, new interface{}) { c.queue.Add(new) },
		DeleteFunc: onDelete,
	})
	var fs cache.ResourceEventHandlerFuncs
	fs.AddFunc = c.enqueue
	inf.AddEventHandler(fs)
	c.onUpdate = func(old, new interface{}) { c.queue.AddRateLimited(new) } // want `reached only from event handlers: .*handler path: cache.ResourceEventHandlerFuncs.UpdateFunc \(factories.go:33:13\) -> factories.New.func3$`
	inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    c.requeue,
		UpdateFunc: c.onUpdate,
		DeleteFunc: c.deleteBoth,
	})
	inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: c.ignored})
	inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: helpers.Handler(c.queue), // want `event handler cache.ResourceEventHandlerFuncs.AddFunc reaches AddRateLimited at example.com/analyzertest/src/helpers/helpers.go:17:5 through helpers.Handler, in package example.com/analyzertest/src/helpers: the call is in another package, so there is no fix here; .*handler path: cache.ResourceEventHandlerFuncs.AddFunc \(factories.go:38:10\) -> helpers.Handler.func1$`
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
		c.queue.AddRateLimited(obj) // want `reached only from event handlers: .*handler path: cache.ResourceEventHandlerFuncs.AddFunc \(factories.go:23:10\) -> factories.\(\*C\).enqueueKind.func1$`
	}
}

func (c *C) enqueue(obj interface{}) { // want enqueue:"via factories.\\(\\*C\\).enqueue$"
	c.queue.AddRateLimited(obj) // want `reached only from event handlers: .*handler path: cache.ResourceEventHandlerFuncs.AddFunc \(factories.go:28:5\) -> factories.\(\*C\).enqueue$`
}

// requeue is shared with a worker that nothing in the package starts.
func (c *C) requeue(obj interface{}) { // want requeue:"via factories.\\(\\*C\\).requeue$"
	c.queue.AddRateLimited(obj) // want `c.queue.AddRateLimited in factories.\(\*C\).requeue is reached from an event handler and also from factories.\(\*C\).worker, which is not one .*left alone; handler path: cache.ResourceEventHandlerFuncs.AddFunc \(factories.go:32:10\) -> factories.\(\*C\).requeue$`
}

func (c *C) worker() { // want worker:"via factories.\\(\\*C\\).worker -> factories.\\(\\*C\\).requeue$"
	item, _ := c.queue.Get()
	defer c.queue.Done(item)
	c.requeue(item)
}

// deleteBoth makes two rate-limited adds: each is reported and fixed.
func (c *C) deleteBoth(obj interface{}) { // want deleteBoth:"reaches AddRateLimited at .*:76:10, .*:77:10 via"
	c.queue.AddRateLimited(obj) // want `reached only from event handlers: .*DeleteFunc \(factories.go:34:13\) -> factories.\(\*C\).deleteBoth$`
	c.queue.AddRateLimited(obj) // want `reached only from event handlers: .*DeleteFunc \(factories.go:34:13\) -> factories.\(\*C\).deleteBoth$`
}

// ignored is left rate limited on purpose.
func (c *C) ignored(obj interface{}) {
	c.queue.AddRateLimited(obj) //queuefix:ignore adds are batched by the limiter on purpose
}

// typed is a handler type: its event methods are the handlers.
type typed struct {
	q workqueue.RateLimitingInterface
}

func (h *typed) OnAdd(obj interface{}) { // want OnAdd:"via factories.\\(\\*typed\\).OnAdd -> factories.\\(\\*typed\\).add$"
	h.add(obj)
}

func (h *typed) add(obj interface{}) { // want add:"via factories.\\(\\*typed\\).add$"
	h.q.AddRateLimited(obj) // want `reached only from event handlers: .*handler path: cache.ResourceEventHandler.OnAdd \(factories.go:90:17\) -> factories.\(\*typed\).OnAdd -> factories.\(\*typed\).add$`
}

func (h *typed) OnUpdate(old, new interface{}) { h.q.Add(new) }
func (h *typed) OnDelete(obj interface{})      { h.q.Add(obj) }

// quiet enqueues nothing.
type quiet struct{}

func (quiet) OnAdd(obj interface{})         {}
func (quiet) OnUpdate(old, new interface{}) {}
func (quiet) OnDelete(obj interface{})      {}
