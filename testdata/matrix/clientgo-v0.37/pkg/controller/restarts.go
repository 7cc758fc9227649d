package controller

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

const (
	crashLoopAnnotation = "platform.example.com/crash-looping"
	alertThreshold      = 5
)

// debounced is a rate limiting queue whose Add goes through the limiter:
// kubelets report the status of a crash looping pod many times a minute and
// one sync per burst is enough.
type debounced struct {
	workqueue.RateLimitingInterface
}

func (d *debounced) Add(item any) {
	d.AddRateLimited(item)
}

// rateLimiter is the part of the queue the alert path needs; its tests pass
// a recorder.
type rateLimiter interface {
	AddRateLimited(item interface{})
}

// RestartWatcher marks pods whose containers keep restarting.
type RestartWatcher struct {
	client corev1client.PodsGetter
	pods   corelisters.PodLister
	queue  *debounced
	alerts rateLimiter
	synced []cache.InformerSynced
}

func NewRestartWatcher(client corev1client.PodsGetter, pods cache.SharedIndexInformer) (*RestartWatcher, error) {
	q := &debounced{workqueue.NewRateLimitingQueueWithConfig(
		workqueue.NewItemFastSlowRateLimiter(time.Second, 30*time.Second, 5),
		workqueue.RateLimitingQueueConfig{Name: "restarts"},
	)}
	c := &RestartWatcher{client: client, pods: corelisters.NewPodLister(pods.GetIndexer()), queue: q, alerts: q}

	reg, err := pods.AddEventHandler(cache.ResourceEventHandlerFuncs{
		UpdateFunc: func(oldObj, newObj interface{}) {
			old, cur := oldObj.(*corev1.Pod), newObj.(*corev1.Pod)
			if restarts(cur) == restarts(old) {
				return
			}
			key, err := cache.MetaNamespaceKeyFunc(cur)
			if err != nil {
				utilruntime.HandleError(err)
				return
			}
			if restarts(old) < alertThreshold && restarts(cur) >= alertThreshold {
				c.alerts.AddRateLimited(key)
				return
			}
			c.queue.Add(key)
		},
	})
	if err != nil {
		return nil, err
	}
	genReg, err := c.registerGenerated(pods)
	if err != nil {
		return nil, err
	}
	c.synced = []cache.InformerSynced{reg.HasSynced, genReg.HasSynced}
	return c, nil
}

func restarts(pod *corev1.Pod) int32 {
	var n int32
	for _, cs := range pod.Status.ContainerStatuses {
		n += cs.RestartCount
	}
	return n
}

func (c *RestartWatcher) Run(ctx context.Context, workers int) {
	defer c.queue.ShutDown()
	if !cache.WaitForCacheSync(ctx.Done(), c.synced...) {
		return
	}
	for i := 0; i < workers; i++ {
		go wait.UntilWithContext(ctx, func(ctx context.Context) {
			for c.processNextWorkItem(ctx) {
			}
		}, time.Second)
	}
	<-ctx.Done()
}

func (c *RestartWatcher) processNextWorkItem(ctx context.Context) bool {
	key, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(key)

	if err := c.sync(ctx, key.(string)); err != nil {
		if c.queue.NumRequeues(key) < maxRetries {
			c.queue.AddRateLimited(key)
			return true
		}
		utilruntime.HandleError(fmt.Errorf("dropping pod %q: %w", key, err))
	}
	c.queue.Forget(key)
	return true
}

func (c *RestartWatcher) sync(ctx context.Context, key string) error {
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
	looping := restarts(pod) >= alertThreshold && pod.Status.Phase == corev1.PodRunning
	if looping {
		// Look again later: the annotation goes away once the pod settles.
		c.queue.AddAfter(key, 5*time.Minute)
	}
	want := fmt.Sprint(looping)
	if pod.Annotations[crashLoopAnnotation] == want {
		return nil
	}
	patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, crashLoopAnnotation, want)
	_, err = c.client.Pods(ns).Patch(ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	return err
}
