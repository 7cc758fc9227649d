// Package quota annotates ResourceQuotas that are close to their hard limits.
package quota

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
	nearLimitAnnotation = "quota.example.com/near-limit"
	threshold = 0.9
	maxRetries = 5
)

type Watcher struct {
	client corev1client.ResourceQuotasGetter
	quotas corelisters.ResourceQuotaLister
	queue  workqueue.RateLimitingInterface
	synced cache.InformerSynced
}

func NewWatcher(client corev1client.ResourceQuotasGetter, quotas cache.SharedIndexInformer) (*Watcher, error) {
	w := &Watcher{
		client: client,
		quotas: corelisters.NewResourceQuotaLister(quotas.GetIndexer()),
		queue:  workqueue.NewNamedRateLimitingQueue(workqueue.DefaultControllerRateLimiter(), "quota"),
	}
	reg, err := quotas.AddEventHandler(&quotaHandler{queue: w.queue})
	if err != nil {
		return nil, err
	}
	w.synced = reg.HasSynced
	return w, nil
}

// quotaHandler queues a quota whenever its usage moves.
type quotaHandler struct {
	queue workqueue.RateLimitingInterface
}

func (h *quotaHandler) OnAdd(obj interface{}, isInInitialList bool) {
	key, err := cache.MetaNamespaceKeyFunc(obj)
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	h.queue.AddRateLimited(key)
}

func (h *quotaHandler) OnUpdate(oldObj, newObj interface{}) {
	old, cur := oldObj.(*corev1.ResourceQuota), newObj.(*corev1.ResourceQuota)
	if old.ResourceVersion == cur.ResourceVersion {
		return
	}
	h.OnAdd(cur, false)
}

func (h *quotaHandler) OnDelete(obj interface{}) {
	key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	h.queue.Add(key)
}

func (w *Watcher) Run(ctx context.Context, workers int) {
	defer w.queue.ShutDown()
	if !cache.WaitForCacheSync(ctx.Done(), w.synced) {
		return
	}
	for i := 0; i < workers; i++ {
		go wait.UntilWithContext(ctx, func(ctx context.Context) {
			for w.processNextWorkItem(ctx) {
			}
		}, time.Second)
	}
	<-ctx.Done()
}

func (w *Watcher) processNextWorkItem(ctx context.Context) bool {
	key, quit := w.queue.Get()
	if quit {
		return false
	}
	if err := w.sync(ctx, key.(string)); err != nil {
		w.handleErr(err, key)
	}
	w.queue.Done(key)
	return true
}

func (w *Watcher) handleErr(err error, key interface{}) {
	if err == nil {
		w.queue.Forget(key)
		return
	}
	if w.queue.NumRequeues(key) < maxRetries {
		w.queue.AddRateLimited(key)
		return
	}
	w.queue.Forget(key)
	utilruntime.HandleError(fmt.Errorf("dropping quota %q out of the queue: %w", key, err))
}

func (w *Watcher) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return err
	}
	q, err := w.quotas.ResourceQuotas(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	near := "false"
	for res, hard := range q.Status.Hard {
		used := q.Status.Used[res]
		if hard.Value() > 0 && float64(used.Value()) >= threshold*float64(hard.Value()) {
			near = "true"
			break
		}
	}
	if q.Annotations[nearLimitAnnotation] == near {
		return nil
	}
	patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, nearLimitAnnotation, near)
	_, err = w.client.ResourceQuotas(ns).Patch(ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	return err
}