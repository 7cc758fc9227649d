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
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// NodeNameField indexes pods by spec.nodeName.
const NodeNameField = "spec.nodeName"

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
func enqueueOwner(q workqueue.RateLimitingInterface, obj client.Object) {
	name, ok := deploymentOf(obj)
	if !ok {
		return
	}
	q.AddRateLimited(reconcile.Request{NamespacedName: types.NamespacedName{Namespace: obj.GetNamespace(), Name: name}})
}

// podToDeployment maps pod events to the owning Deployment.
type podToDeployment struct{}

var _ handler.EventHandler = &podToDeployment{}

func (h *podToDeployment) Create(ctx context.Context, e event.CreateEvent, q workqueue.RateLimitingInterface) {
	enqueueOwner(q, e.Object)
}

func (h *podToDeployment) Update(ctx context.Context, e event.UpdateEvent, q workqueue.RateLimitingInterface) {
	if podReady(e.ObjectOld.(*corev1.Pod)) == podReady(e.ObjectNew.(*corev1.Pod)) {
		return
	}
	enqueueOwner(q, e.ObjectNew)
}

func (h *podToDeployment) Delete(ctx context.Context, e event.DeleteEvent, q workqueue.RateLimitingInterface) {
	if name, ok := deploymentOf(e.Object); ok {
		q.AddRateLimited(reconcile.Request{NamespacedName: types.NamespacedName{Namespace: e.Object.GetNamespace(), Name: name}})
	}
}

func (h *podToDeployment) Generic(context.Context, event.GenericEvent, workqueue.RateLimitingInterface) {}

// configMapHandler requeues the Deployments that mount a ConfigMap when it changes.
func (r *DeploymentReconciler) configMapHandler() handler.Funcs {
	return handler.Funcs{
		UpdateFunc: func(ctx context.Context, e event.UpdateEvent, q workqueue.RateLimitingInterface) {
			var deps appsv1.DeploymentList
			if err := r.List(ctx, &deps, client.InNamespace(e.ObjectNew.GetNamespace())); err != nil {
				log.FromContext(ctx).Error(err, "Listing deployments")
				return
			}
			for i := range deps.Items {
				for _, v := range deps.Items[i].Spec.Template.Spec.Volumes {
					if v.ConfigMap != nil && v.ConfigMap.Name == e.ObjectNew.GetName() {
						q.AddRateLimited(reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&deps.Items[i])})
						break
					}
				}
			}
		},
		DeleteFunc: func(ctx context.Context, e event.DeleteEvent, q workqueue.RateLimitingInterface) {
			// The pods keep running with the old content; nothing to do until
			// the ConfigMap comes back.
		},
	}
}

// nodeHandler requeues the Deployments with pods on a node that is cordoned.
// The maintenance calendar pushes windows in as well, through the last queue
// the handler was given.
type nodeHandler struct {
	client client.Client

	mu    sync.Mutex
	queue workqueue.RateLimitingInterface
}

var _ handler.EventHandler = &nodeHandler{}

func (h *nodeHandler) Create(ctx context.Context, e event.CreateEvent, q workqueue.RateLimitingInterface) {
	h.remember(q)
}

func (h *nodeHandler) Update(ctx context.Context, e event.UpdateEvent, q workqueue.RateLimitingInterface) {
	h.remember(q)
	if e.ObjectOld.(*corev1.Node).Spec.Unschedulable == e.ObjectNew.(*corev1.Node).Spec.Unschedulable {
		return
	}
	h.requeuePodsOn(ctx, q, e.ObjectNew.GetName())
}

func (h *nodeHandler) Delete(context.Context, event.DeleteEvent, workqueue.RateLimitingInterface) {}

func (h *nodeHandler) Generic(ctx context.Context, e event.GenericEvent, q workqueue.RateLimitingInterface) {
	h.remember(q)
}

func (h *nodeHandler) remember(q workqueue.RateLimitingInterface) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.queue = q
}

// requeuePodsOn queues the owners of every pod on node.
func (h *nodeHandler) requeuePodsOn(ctx context.Context, q workqueue.RateLimitingInterface, node string) {
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
