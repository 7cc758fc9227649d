package controller

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

const lastWarningAnnotation = "events.example.com/last-warning"

// debounced is a rate limiting queue whose Add goes through the limiter.
// Warning events come in bursts of hundreds for one pod; the limiter folds a
// burst into a single sync.
type debounced struct {
	workqueue.RateLimitingInterface
}

func (d *debounced) Add(item interface{}) {
	d.AddRateLimited(item)
}

// EventController copies the reason of the newest Warning event of a pod
// into an annotation on the pod.
type EventController struct {
	client corev1client.PodsGetter
	events corelisters.EventLister
	pods   corelisters.PodLister
	queue  *debounced
	synced []cache.InformerSynced
}

func NewEventController(client corev1client.PodsGetter, events, pods cache.SharedIndexInformer) *EventController {
	c := &EventController{
		client: client,
		events: corelisters.NewEventLister(events.GetIndexer()),
		pods:   corelisters.NewPodLister(pods.GetIndexer()),
		queue: &debounced{workqueue.NewNamedRateLimitingQueue(
			workqueue.NewItemFastSlowRateLimiter(500*time.Millisecond, 10*time.Second, 3), "pod-warnings")},
		synced: []cache.InformerSynced{events.HasSynced, pods.HasSynced},
	}
	events.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj interface{}) {
			ev := obj.(*corev1.Event)
			if ev.Type != corev1.EventTypeWarning || ev.InvolvedObject.Kind != "Pod" {
				return
			}
			c.queue.Add(ev.InvolvedObject.Namespace + "/" + ev.InvolvedObject.Name)
		},
	})
	c.registerEventHandlers(pods)
	return c
}

func (c *EventController) Run(workers int, stopCh <-chan struct{}) {
	defer c.queue.ShutDown()
	if !cache.WaitForCacheSync(stopCh, c.synced...) {
		return
	}
	for i := 0; i < workers; i++ {
		go wait.Until(func() {
			for c.processNextWorkItem() {
			}
		}, time.Second, stopCh)
	}
	<-stopCh
}

func (c *EventController) processNextWorkItem() bool {
	key, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(key)

	if err := c.sync(key.(string)); err != nil {
		if c.queue.NumRequeues(key) < maxRetries {
			c.queue.AddRateLimited(key)
			return true
		}
		utilruntime.HandleError(fmt.Errorf("dropping pod %q: %v", key, err))
	}
	c.queue.Forget(key)
	return true
}

func (c *EventController) sync(key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return err
	}
	pod, err := c.pods.Pods(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	evs, err := c.events.Events(ns).List(labels.Everything())
	if err != nil {
		return err
	}
	var newest *corev1.Event
	for _, ev := range evs {
		if ev.Type != corev1.EventTypeWarning || ev.InvolvedObject.UID != pod.UID {
			continue
		}
		if newest == nil || newest.LastTimestamp.Before(&ev.LastTimestamp) {
			newest = ev
		}
	}
	if newest == nil || pod.Annotations[lastWarningAnnotation] == newest.Reason {
		return nil
	}
	patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, lastWarningAnnotation, newest.Reason)
	_, err = c.client.Pods(ns).Patch(context.TODO(), name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	return err
}
