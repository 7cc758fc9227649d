// Package drain evicts the pods of nodes that carry the drain annotation.
package drain

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
)

const (
	drainAnnotation = "drain.example.com/requested"
	maxRetries      = 15
)

type Drainer struct {
	client corev1client.PodsGetter
	nodes  corelisters.NodeLister
	pods   corelisters.PodLister
	queue  workqueue.RateLimitingInterface
	synced []cache.InformerSynced
}

func NewDrainer(client corev1client.PodsGetter, nodes, pods cache.SharedIndexInformer) (*Drainer, error) {
	d := &Drainer{
		client: client,
		nodes:  corelisters.NewNodeLister(nodes.GetIndexer()),
		pods:   corelisters.NewPodLister(pods.GetIndexer()),
		queue:  workqueue.NewNamedRateLimitingQueue(workqueue.DefaultControllerRateLimiter(), "drain"),
	}
	nodeReg, err := nodes.AddEventHandler(&cache.FilteringResourceEventHandler{
		FilterFunc: func(obj interface{}) bool {
			n, ok := obj.(*corev1.Node)
			return ok && n.Annotations[drainAnnotation] != ""
		},
		Handler: cache.ResourceEventHandlerFuncs{
			AddFunc: func(obj interface{}) {
				d.queue.AddRateLimited(obj.(*corev1.Node).Name)
			},
			UpdateFunc: func(_, newObj interface{}) {
				//queuefix:ignore debounce bursts from the cloud provider
				d.queue.AddRateLimited(newObj.(*corev1.Node).Name)
			},
		},
	})
	if err != nil {
		return nil, err
	}
	// A pod leaving a draining node moves the drain forward.
	podReg, err := pods.AddEventHandler(cache.ResourceEventHandlerFuncs{
		DeleteFunc: func(obj interface{}) {
			pod, ok := obj.(*corev1.Pod)
			if !ok {
				tombstone, ok := obj.(cache.DeletedFinalStateUnknown)
				if !ok {
					return
				}
				if pod, ok = tombstone.Obj.(*corev1.Pod); !ok {
					return
				}
			}
			if pod.Spec.NodeName != "" {
				d.queue.Add(pod.Spec.NodeName)
			}
		},
	})
	if err != nil {
		return nil, err
	}
	d.synced = []cache.InformerSynced{nodeReg.HasSynced, podReg.HasSynced}
	return d, nil
}

func (d *Drainer) Run(ctx context.Context, workers int) {
	defer utilruntime.HandleCrash()
	defer d.queue.ShutDown()
	if !cache.WaitForCacheSync(ctx.Done(), d.synced...) {
		return
	}
	for i := 0; i < workers; i++ {
		go wait.UntilWithContext(ctx, func(ctx context.Context) {
			for d.processNextWorkItem(ctx) {
			}
		}, time.Second)
	}
	<-ctx.Done()
}

func (d *Drainer) processNextWorkItem(ctx context.Context) bool {
	workqueue := d.queue
	obj, shutdown := workqueue.Get()
	if shutdown {
		return false
	}
	defer workqueue.Done(obj)

	name := obj.(string)
	err := d.drain(ctx, name)
	switch {
	case err == nil:
		klog.FromContext(ctx).V(2).Info("Node drained", "node", name)
	case workqueue.NumRequeues(obj) < maxRetries:
		workqueue.AddRateLimited(obj)
	default:
		workqueue.Forget(obj)
		utilruntime.HandleError(fmt.Errorf("giving up draining %s: %w", name, err))
	}
	return true
}

// drain evicts what is left on the node and fails while pods remain, so that
// the node is retried with backoff until it is empty.
func (d *Drainer) drain(ctx context.Context, name string) error {
	node, err := d.nodes.Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if node.Annotations[drainAnnotation] == "" {
		return nil
	}
	all, err := d.pods.List(labels.Everything())
	if err != nil {
		return err
	}
	remaining := 0
	for _, pod := range all {
		if pod.Spec.NodeName != name || isDaemonSetPod(pod) {
			continue
		}
		remaining++
		ev := &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace}}
		if err := d.client.Pods(pod.Namespace).EvictV1(ctx, ev); err != nil && !apierrors.IsNotFound(err) {
			klog.FromContext(ctx).V(2).Info("Eviction refused", "pod", klog.KObj(pod), "err", err)
		}
	}
	if remaining > 0 {
		return fmt.Errorf("%d pods still on node %s", remaining, name)
	}
	return nil
}

func isDaemonSetPod(pod *corev1.Pod) bool {
	ref := metav1.GetControllerOf(pod)
	return ref != nil && ref.Kind == "DaemonSet"
}