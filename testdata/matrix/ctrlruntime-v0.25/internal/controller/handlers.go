package controller

import (
	"context"
	"strings"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/priorityqueue"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// NodeNameField indexes pods by spec.nodeName.
const NodeNameField = "spec.nodeName"

type requestQueue = workqueue.TypedRateLimitingInterface[reconcile.Request]

// deploymentOf returns the name of the Deployment that owns obj through a
// ReplicaSet named "<deployment>-<pod-template-hash>".
func deploymentOf(obj metav1.Object) (string, bool) {
	ref := metav1.GetControllerOf(obj)
	if ref == nil || ref.Kind != "ReplicaSet" {
		return "", false
	}
	i := strings.LastIndex(ref.Name, "-")
	if i <= 0 {
		return "", false
	}
	return ref.Name[:i], true
}

// enqueueOwner queues the Deployment that owns obj, if any.
func enqueueOwner(q workqueue.TypedRateLimitingInterface[reconcile.Request], obj client.Object) {
	name, ok := deploymentOf(obj)
	if !ok {
		return
	}
	q.AddRateLimited(reconcile.Request{NamespacedName: types.NamespacedName{Namespace: obj.GetNamespace(), Name: name}})
}

// podToDeployment maps pod events to the owning Deployment.
type podToDeployment struct{}

var _ handler.TypedEventHandler[client.Object, reconcile.Request] = &podToDeployment{}

func (h *podToDeployment) Create(ctx context.Context, e event.TypedCreateEvent[client.Object], q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	enqueueOwner(q, e.Object)
}

func (h *podToDeployment) Update(ctx context.Context, e event.TypedUpdateEvent[client.Object], q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	if podReady(e.ObjectOld.(*corev1.Pod)) == podReady(e.ObjectNew.(*corev1.Pod)) {
		return
	}
	enqueueOwner(q, e.ObjectNew)
}

func (h *podToDeployment) Delete(ctx context.Context, e event.TypedDeleteEvent[client.Object], q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	if name, ok := deploymentOf(e.Object); ok {
		q.AddRateLimited(reconcile.Request{NamespacedName: types.NamespacedName{Namespace: e.Object.GetNamespace(), Name: name}})
	}
}

func (h *podToDeployment) Generic(context.Context, event.TypedGenericEvent[client.Object], workqueue.TypedRateLimitingInterface[reconcile.Request]) {
}

// deploymentsMounting lists the Deployments in ns whose pods mount the named volume source.
func (r *DeploymentReconciler) deploymentsMounting(ctx context.Context, ns string, mounts func(corev1.Volume) bool) []reconcile.Request {
	var deps appsv1.DeploymentList
	if err := r.List(ctx, &deps, client.InNamespace(ns)); err != nil {
		log.FromContext(ctx).Error(err, "Listing deployments")
		return nil
	}
	var reqs []reconcile.Request
	for i := range deps.Items {
		for _, v := range deps.Items[i].Spec.Template.Spec.Volumes {
			if mounts(v) {
				reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&deps.Items[i])})
				break
			}
		}
	}
	return reqs
}

// configMapHandler requeues the Deployments that mount a ConfigMap when it changes.
func (r *DeploymentReconciler) configMapHandler() handler.TypedFuncs[*corev1.ConfigMap, reconcile.Request] {
	return handler.TypedFuncs[*corev1.ConfigMap, reconcile.Request]{
		UpdateFunc: func(ctx context.Context, e event.TypedUpdateEvent[*corev1.ConfigMap], q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			reqs := r.deploymentsMounting(ctx, e.ObjectNew.Namespace, func(v corev1.Volume) bool {
				return v.ConfigMap != nil && v.ConfigMap.Name == e.ObjectNew.Name
			})
			if pq, ok := q.(priorityqueue.PriorityQueue[reconcile.Request]); ok {
				// A config change is less urgent than a pod going unready.
				pq.AddWithOpts(priorityqueue.AddOpts{RateLimited: true, Priority: ptr.To(handler.LowPriority)}, reqs...)
				return
			}
			for _, req := range reqs {
				q.AddRateLimited(req)
			}
		},
	}
}

// secretHandler requeues the Deployments that mount a Secret when it is created
// (a Deployment may have been waiting for it) or changed.
func (r *DeploymentReconciler) secretHandler() handler.Funcs {
	enqueue := func(ctx context.Context, obj client.Object, q requestQueue) {
		reqs := r.deploymentsMounting(ctx, obj.GetNamespace(), func(v corev1.Volume) bool {
			return v.Secret != nil && v.Secret.SecretName == obj.GetName()
		})
		for _, req := range reqs {
			q.AddRateLimited(req)
		}
	}
	return handler.Funcs{
		CreateFunc: func(ctx context.Context, e event.CreateEvent, q requestQueue) {
			enqueue(ctx, e.Object, q)
		},
		UpdateFunc: func(ctx context.Context, e event.UpdateEvent, q requestQueue) {
			enqueue(ctx, e.ObjectNew, q)
		},
	}
}

// nodeHandler requeues the Deployments with pods on a node that is cordoned.
// The maintenance calendar pushes windows in as well, through the last queue
// the handler was given.
type nodeHandler struct {
	client client.Client

	mu    sync.Mutex
	queue workqueue.TypedRateLimitingInterface[reconcile.Request]
}

var _ handler.EventHandler = &nodeHandler{}

func (h *nodeHandler) Create(ctx context.Context, e event.CreateEvent, q requestQueue) {
	h.remember(q)
}

func (h *nodeHandler) Update(ctx context.Context, e event.UpdateEvent, q requestQueue) {
	h.remember(q)
	if e.ObjectOld.(*corev1.Node).Spec.Unschedulable == e.ObjectNew.(*corev1.Node).Spec.Unschedulable {
		return
	}
	h.requeuePodsOn(ctx, q, e.ObjectNew.GetName())
}

func (h *nodeHandler) Delete(context.Context, event.DeleteEvent, requestQueue) {}

func (h *nodeHandler) Generic(ctx context.Context, e event.GenericEvent, q requestQueue) {
	h.remember(q)
}

func (h *nodeHandler) remember(q requestQueue) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.queue = q
}

// requeuePodsOn queues the owners of every pod on node.
func (h *nodeHandler) requeuePodsOn(ctx context.Context, q requestQueue, node string) {
	var pods corev1.PodList
	if err := h.client.List(ctx, &pods, client.MatchingFields{NodeNameField: node}); err != nil {
		log.FromContext(ctx).Error(err, "Listing pods", "node", node)
		return
	}
	for i := range pods.Items {
		if name, ok := deploymentOf(&pods.Items[i]); ok {
			q.AddRateLimited(reconcile.Request{NamespacedName: types.NamespacedName{Namespace: pods.Items[i].Namespace, Name: name}})
		}
	}
}

// WatchCalendar requeues the pods of nodes whose maintenance window opens.
func (h *nodeHandler) WatchCalendar(ctx context.Context, windows <-chan string) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case node := <-windows:
			h.mu.Lock()
			q := h.queue
			h.mu.Unlock()
			if q != nil {
				h.requeuePodsOn(ctx, q, node)
			}
		}
	}
}