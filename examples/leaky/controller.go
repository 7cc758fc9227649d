package main

import (
	"context"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	coreinformers "k8s.io/client-go/informers/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
)

const (
	settingsName = "leaky-settings"
	maxRetries   = 5
)

// Controller counts how often each pod has been synced.
type Controller struct {
	pods   corelisters.PodLister
	queue  workqueue.RateLimitingInterface
	synced []cache.InformerSynced

	mu    sync.Mutex
	syncs map[string]int
}

func NewController(pods coreinformers.PodInformer, configMaps coreinformers.ConfigMapInformer) *Controller {
	c := &Controller{
		pods:   pods.Lister(),
		queue:  workqueue.NewRateLimitingQueueWithConfig(workqueue.DefaultControllerRateLimiter(), workqueue.RateLimitingQueueConfig{Name: "pods"}),
		synced: []cache.InformerSynced{pods.Informer().HasSynced, configMaps.Informer().HasSynced},
		syncs:  map[string]int{},
	}
	_, _ = pods.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: c.enqueue,
		UpdateFunc: func(oldObj, newObj interface{}) {
			c.enqueue(newObj)
		},
		DeleteFunc: func(obj interface{}) {
			key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
			if err != nil {
				utilruntime.HandleError(err)
				return
			}
			c.queue.AddRateLimited(key)
		},
	})
	_, _ = configMaps.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		UpdateFunc: func(_, newObj interface{}) {
			if newObj.(*corev1.ConfigMap).Name == settingsName {
				c.requeueAll()
			}
		},
	})
	return c
}

func (c *Controller) enqueue(obj interface{}) {
	key, err := cache.MetaNamespaceKeyFunc(obj)
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	c.queue.AddRateLimited(key)
}

// requeueAll queues every pod. It runs when the settings change and once a
// minute, to pick up anything a missed event left behind.
func (c *Controller) requeueAll() {
	pods, err := c.pods.List(labels.Everything())
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	for _, pod := range pods {
		c.queue.AddRateLimited(pod.Namespace + "/" + pod.Name)
	}
}

func (c *Controller) Run(ctx context.Context, workers int) {
	defer c.queue.ShutDown()
	if !cache.WaitForCacheSync(ctx.Done(), c.synced...) {
		return
	}
	for i := 0; i < workers; i++ {
		go wait.UntilWithContext(ctx, c.runWorker, time.Second)
	}
	go wait.Until(c.requeueAll, time.Minute, ctx.Done())
	<-ctx.Done()
}

func (c *Controller) runWorker(ctx context.Context) {
	for c.processNextWorkItem() {
	}
}

func (c *Controller) processNextWorkItem() bool {
	key, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(key)

	err := c.sync(key.(string))
	if err == nil {
		return true
	}
	if c.queue.NumRequeues(key) < maxRetries {
		klog.Infof("Retrying %v: %v", key, err)
		c.queue.AddRateLimited(key)
		return true
	}
	klog.Infof("Dropping %v after %d retries: %v", key, maxRetries, err)
	c.queue.Forget(key)
	return true
}

func (c *Controller) sync(key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return err
	}
	if _, err := c.pods.Pods(ns).Get(name); err != nil {
		return nil // deleted; nothing to count
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.syncs[key]++
	return nil
}

// Syncs reports how often key has been synced.
func (c *Controller) Syncs(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.syncs[key]
}
