// Package janitor deletes finished Jobs once they are older than a TTL.
package janitor

import (
	"context"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	batchv1client "k8s.io/client-go/kubernetes/typed/batch/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
)

const (
	resync = 10 * time.Minute
	jobNameLabel = "batch.kubernetes.io/job-name"
)

type Janitor struct {
	client batchv1client.BatchV1Interface
	pods   corev1client.PodsGetter
	ttl    time.Duration
	store  cache.Store
	ctrl   cache.Controller
	queue  workqueue.TypedRateLimitingInterface[string]

	// enqueueJob is a field so tests can see what the handlers queue.
	enqueueJob func(obj interface{})
}

func New(client batchv1client.BatchV1Interface, pods corev1client.PodsGetter, namespace string, ttl time.Duration) *Janitor {
	j := &Janitor{
		client: client,
		pods:   pods,
		ttl:    ttl,
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "job-janitor"},
		),
	}
	j.enqueueJob = func(obj interface{}) {
		key, err := cache.MetaNamespaceKeyFunc(obj)
		if err != nil {
			utilruntime.HandleError(err)
			return
		}
		j.queue.AddRateLimited(key)
	}

	j.store, j.ctrl = cache.NewInformerWithOptions(cache.InformerOptions{
		ListerWatcher: cache.NewListWatchFromClient(client.RESTClient(), "jobs", namespace, fields.Everything()),
		ObjectType:    &batchv1.Job{},
		ResyncPeriod:  resync,
		Handler: cache.FilteringResourceEventHandler{
			FilterFunc: isFinished,
			Handler: cache.ResourceEventHandlerFuncs{
				AddFunc: j.enqueueJob,
				UpdateFunc: func(oldObj, newObj interface{}) {
					j.enqueueJob(newObj)
				},
				DeleteFunc: func(obj interface{}) {
					// Jobs deleted with orphan propagation leave their pods behind.
					key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
					if err != nil {
						utilruntime.HandleError(err)
						return
					}
					j.queue.AddRateLimited(key)
				},
			},
		},
	})
	return j
}

func isFinished(obj interface{}) bool {
	job, ok := obj.(*batchv1.Job)
	return ok && finishedAt(job) != nil
}

func finishedAt(job *batchv1.Job) *metav1.Time {
	for _, c := range job.Status.Conditions {
		if (c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed) && c.Status == corev1.ConditionTrue {
			return &c.LastTransitionTime
		}
	}
	return nil
}

func (j *Janitor) Run(ctx context.Context, workers int) {
	defer utilruntime.HandleCrash()
	defer j.queue.ShutDown()

	go j.ctrl.Run(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), j.ctrl.HasSynced) {
		return
	}
	for i := 0; i < workers; i++ {
		go wait.UntilWithContext(ctx, j.worker, time.Second)
	}
	<-ctx.Done()
}

func (j *Janitor) worker(ctx context.Context) {
	for j.processNextItem(ctx) {
	}
}

func (j *Janitor) processNextItem(ctx context.Context) bool {
	key, quit := j.queue.Get()
	if quit {
		return false
	}
	defer j.queue.Done(key)

	if err := j.sync(ctx, key); err != nil {
		klog.FromContext(ctx).Error(err, "Cleaning up job", "key", key)
		j.queue.AddRateLimited(key)
		return true
	}
	return true
}

func (j *Janitor) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return err
	}
	obj, exists, err := j.store.GetByKey(key)
	if err != nil {
		return err
	}
	if !exists {
		return j.pods.Pods(ns).DeleteCollection(ctx, metav1.DeleteOptions{},
			metav1.ListOptions{LabelSelector: jobNameLabel + "=" + name})
	}
	done := finishedAt(obj.(*batchv1.Job))
	if done == nil {
		return nil
	}
	if left := time.Until(done.Add(j.ttl)); left > 0 {
		j.queue.AddAfter(key, left)
		return nil
	}
	background := metav1.DeletePropagationBackground
	err = j.client.Jobs(ns).Delete(ctx, name, metav1.DeleteOptions{PropagationPolicy: &background})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
