// Package controller syncs the objects seen by a shared informer, written the
// way many controllers based on k8s.io/sample-controller are.
package controller

import (
	"fmt"
	"time"

	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

// Controller turns informer events into keys on a work queue and syncs them.
type Controller struct {
	informer cache.SharedIndexInformer
	queue    workqueue.RateLimitingInterface

	// syncHandler brings the object named by key to its desired state.
	syncHandler func(key string) error
}

// New returns a controller that calls sync for every key its informer
// reports. newQueue builds the work queue; nil means the default
// rate-limited queue. Callers pass their own to observe or speed up the queue.
func New(informer cache.SharedIndexInformer, sync func(key string) error, newQueue func() workqueue.RateLimitingInterface) *Controller {
	if newQueue == nil {
		newQueue = DefaultQueue
	}
	c := &Controller{
		informer:    informer,
		queue:       newQueue(),
		syncHandler: sync,
	}
	informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: c.enqueue,
		UpdateFunc: func(old, new interface{}) {
			c.enqueue(new)
		},
		DeleteFunc: c.enqueueDelete,
	})
	return c
}

// DefaultQueue returns the work queue New uses when given none.
func DefaultQueue() workqueue.RateLimitingInterface {
	return workqueue.NewRateLimitingQueue(workqueue.DefaultControllerRateLimiter())
}

// NumRequeues reports how many times the rate limiter has seen key.
func (c *Controller) NumRequeues(key string) int {
	return c.queue.NumRequeues(key)
}

// Len reports how many keys are ready and waiting for a worker.
func (c *Controller) Len() int {
	return c.queue.Len()
}

// Run waits for the informer cache, starts workers and blocks until stopCh
// is closed, then shuts the queue down.
func (c *Controller) Run(workers int, stopCh <-chan struct{}) error {
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
func (c *Controller) runWorker() {
	for c.processNextWorkItem() {
	}
}

// processNextWorkItem syncs one key and reports whether the worker should
// keep going.
func (c *Controller) processNextWorkItem() bool {
	obj, shutdown := c.queue.Get()
	if shutdown {
		return false
	}

	err := func(obj interface{}) error {
		// Done tells the queue we finished with this key, so another
		// worker may pick it up again if it was re-added meanwhile.
		defer c.queue.Done(obj)
		var key string
		var ok bool
		if key, ok = obj.(string); !ok {
			// A bad item would be retried forever: drop it.
			c.queue.Forget(obj)
			utilruntime.HandleError(fmt.Errorf("expected string in workqueue but got %#v", obj))
			return nil
		}
		if err := c.syncHandler(key); err != nil {
			// Retry later, with per-key backoff.
			c.queue.AddRateLimited(key)
			return fmt.Errorf("error syncing '%s': %s, requeuing", key, err.Error())
		}
		return nil
	}(obj)

	if err != nil {
		utilruntime.HandleError(err)
	}
	return true
}

// enqueue puts the namespace/name key of obj on the work queue.
func (c *Controller) enqueue(obj interface{}) {
	key, err := cache.MetaNamespaceKeyFunc(obj)
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	c.queue.AddRateLimited(key)
}

// enqueueDelete is enqueue for deleted objects, which may arrive as
// tombstones when the informer missed the delete.
func (c *Controller) enqueueDelete(obj interface{}) {
	key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	c.queue.AddRateLimited(key)
}
