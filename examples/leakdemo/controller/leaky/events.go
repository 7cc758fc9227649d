package controller

import (
	"fmt"
	"time"

	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

// key is one event for the workers: what happened to which object, and the
// object as the informer delivered it. Every event makes a new key, so the
// queue holds pointers, not names.
type key struct {
	op   string      // add, update or delete
	name string      // namespace/name
	obj  interface{} // the object of the event
}

// String returns the namespace/name the key is for.
func (rk *key) String() string {
	return rk.name
}

// EventController is Controller with one work item per event: its handlers
// enqueue a *key that carries the event's object, as controllers do that
// want to know what happened and not only to what.
type EventController struct {
	informer cache.SharedIndexInformer
	queue    workqueue.RateLimitingInterface

	// syncHandler brings the object named by key to its desired state.
	syncHandler func(key string) error
}

// NewEventController is New for a controller whose items are events.
func NewEventController(informer cache.SharedIndexInformer, sync func(key string) error, newQueue func() workqueue.RateLimitingInterface) *EventController {
	if newQueue == nil {
		newQueue = DefaultQueue
	}
	c := &EventController{
		informer:    informer,
		queue:       newQueue(),
		syncHandler: sync,
	}
	informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj interface{}) {
			c.handle("add", obj)
		},
		UpdateFunc: func(old, new interface{}) {
			c.handle("update", new)
		},
		DeleteFunc: func(obj interface{}) {
			c.handle("delete", obj)
		},
	})
	return c
}

// Len reports how many events are ready and waiting for a worker.
func (c *EventController) Len() int {
	return c.queue.Len()
}

// Run waits for the informer cache, starts workers and blocks until stopCh
// is closed, then shuts the queue down.
func (c *EventController) Run(workers int, stopCh <-chan struct{}) error {
	defer utilruntime.HandleCrash()
	defer c.queue.ShutDown()

	if ok := cache.WaitForCacheSync(stopCh, c.informer.HasSynced); !ok {
		return fmt.Errorf("failed to wait for caches to sync")
	}
	for i := 0; i < workers; i++ {
		go wait.Until(c.runWorker, time.Second, stopCh)
	}
	<-stopCh
	return nil
}

// runWorker processes queue items until the queue shuts down.
func (c *EventController) runWorker() {
	for c.processNextWorkItem() {
	}
}

// processNextWorkItem syncs the object of one event and reports whether the
// worker should keep going.
func (c *EventController) processNextWorkItem() bool {
	obj, shutdown := c.queue.Get()
	if shutdown {
		return false
	}
	defer c.queue.Done(obj)

	rk, ok := obj.(*key)
	if !ok {
		// A bad item would be retried forever: drop it.
		c.queue.Forget(obj)
		utilruntime.HandleError(fmt.Errorf("expected *key in workqueue but got %#v", obj))
		return true
	}
	if err := c.syncHandler(rk.name); err != nil {
		// Retry this event later, with backoff.
		c.queue.AddRateLimited(rk)
		utilruntime.HandleError(fmt.Errorf("error syncing %s after %s of %T: %w, requeuing", rk.name, rk.op, rk.obj, err))
		return true
	}
	return true
}

// handle turns an informer event into a key for the workers.
func (c *EventController) handle(op string, obj interface{}) {
	name, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	c.enqueue(&key{op: op, name: name, obj: obj})
}

// enqueue puts an event on the work queue.
func (c *EventController) enqueue(rk *key) {
	c.queue.AddRateLimited(rk)
}
