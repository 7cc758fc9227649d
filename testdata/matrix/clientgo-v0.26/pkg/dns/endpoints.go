package dns

import (
	"reflect"

	corev1 "k8s.io/api/core/v1"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

// endpointsHandler requeues headless services when their endpoints change:
// their records point straight at pod IPs.
type endpointsHandler struct {
	queue    workqueue.RateLimitingInterface
	services corelisters.ServiceLister
}

var _ cache.ResourceEventHandler = &endpointsHandler{}

func (h *endpointsHandler) OnAdd(obj interface{}) {
	ep := obj.(*corev1.Endpoints)
	svc, err := h.services.Services(ep.Namespace).Get(ep.Name)
	if err != nil || svc.Spec.ClusterIP != corev1.ClusterIPNone {
		return
	}
	h.queue.AddRateLimited("service/" + ep.Namespace + "/" + ep.Name)
}

func (h *endpointsHandler) OnUpdate(oldObj, newObj interface{}) {
	if reflect.DeepEqual(oldObj.(*corev1.Endpoints).Subsets, newObj.(*corev1.Endpoints).Subsets) {
		return
	}
	h.OnAdd(newObj)
}

func (h *endpointsHandler) OnDelete(obj interface{}) {
	key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	h.queue.Add("service/" + key)
}
