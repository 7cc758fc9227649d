package handlers

import (
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"

	"example.com/analyzertest/src/helpers"
)

type C struct {
	queue workqueue.RateLimitingInterface
}

func New(inf cache.SharedIndexInformer) *C {
	c := &C{queue: workqueue.NewRateLimitingQueue(workqueue.DefaultControllerRateLimiter())}
	inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: c.enqueue,
		UpdateFunc: func(old, new interface{}) {
			c.enqueue(new)
		},
		DeleteFunc: func(obj interface{}) {
			c.requeueAll(obj)
		},
	})
	inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj interface{}) { helpers.Enqueue(c.queue, obj) }, // want `event handler cache.ResourceEventHandlerFuncs.AddFunc reaches AddRateLimited at example.com/analyzertest/src/helpers/helpers.go:10:4 through helpers.Enqueue, in package example.com/analyzertest/src/helpers: the call is in another package, so there is no fix here`
		UpdateFunc: func(old, new interface{}) {
			c.Enqueue(new)
		},
		DeleteFunc: func(obj interface{}) { c.queue.Add(obj) },
	})
	inf.AddEventHandler(helpers.Funcs(c.onBuilt, c.onBuiltUpdate))
	return c
}

// enqueue is reached only from handlers: the fix applies, once, at the
// call, with the first handler's path.
func (c *C) enqueue(obj interface{}) { // want enqueue:"via handlers.\\(\\*C\\).enqueue$"
	c.queue.AddRateLimited(obj) // want `c.queue.AddRateLimited is reached only from event handlers: call c.queue.Add instead \(rate limiting is for retries after errors\); handler path: cache.ResourceEventHandlerFuncs.AddFunc \(handlers.go:17:10\) -> handlers.\(\*C\).enqueue$`
}

// requeueAll is shared with a periodic resync: no fix.
func (c *C) requeueAll(obj interface{}) { // want requeueAll:"at example.com/analyzertest/src/handlers/handlers.go:44:10 via handlers.\\(\\*C\\).requeueAll$"
	c.queue.AddRateLimited(obj) // want `c.queue.AddRateLimited in handlers.\(\*C\).requeueAll is reached from an event handler and also from a func value → handlers.\(\*C\).requeueAll, which is not one .*; left alone; handler path: cache.ResourceEventHandlerFuncs.DeleteFunc \(handlers.go:21:13\) -> handlers.New.func2 -> handlers.\(\*C\).requeueAll$`
}

// Enqueue is exported and only a handler here calls it, but packages
// that import this one may call it too (a worker's retry): one package
// alone cannot tell, so there is no fix; queuefix on the module decides.
func (c *C) Enqueue(obj interface{}) { // want Enqueue:"via handlers.\\(\\*C\\).Enqueue$"
	c.queue.AddRateLimited(obj) // want `c.queue.AddRateLimited in handlers.\(\*C\).Enqueue is reached from an event handler and handlers.\(\*C\).Enqueue is an entry point of its own .*left alone \(handlers.\(\*C\).Enqueue is exported: packages that import this one may call it.*; handler path: .*handlers.\(\*C\).Enqueue$`
}

// onBuilt and onBuiltUpdate are handlers through helpers.Funcs, another
// package's builder: its fact says where they go.
func (c *C) onBuilt(obj interface{}) { // want onBuilt:"via handlers.\\(\\*C\\).onBuilt$"
	c.queue.AddRateLimited(obj) // want `reached only from event handlers: .*handler path: cache.ResourceEventHandlerFuncs.AddFunc \(handlers.go:32:\d+\) -> handlers.\(\*C\).onBuilt$`
}

func (c *C) onBuiltUpdate(obj interface{}) { // want onBuiltUpdate:"via handlers.\\(\\*C\\).onBuiltUpdate$"
	c.queue.AddRateLimited(obj) // want `reached only from event handlers: .*handler path: cache.ResourceEventHandlerFuncs.UpdateFunc \(handlers.go:32:\d+\) -> handlers.\(\*C\).onBuiltUpdate$`
}

func (c *C) process() { // want process:"via handlers.\\(\\*C\\).process$"
	item, _ := c.queue.Get()
	defer c.queue.Done(item)
	c.queue.AddRateLimited(item) // the worker's retry: no handler reaches it
}

func (c *C) Run(every func(func(interface{}))) { // want Run:"via handlers.\\(\\*C\\).Run -> handlers.\\(\\*C\\).process$"
	every(c.requeueAll)
	c.process()
}
