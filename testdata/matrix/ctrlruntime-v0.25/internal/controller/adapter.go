package controller

import (
	"context"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// rateLimitedQueue makes every Add rate limited.
type rateLimitedQueue struct {
	workqueue.TypedRateLimitingInterface[reconcile.Request]
}

func (q rateLimitedQueue) Add(item reconcile.Request) {
	q.TypedRateLimitingInterface.AddRateLimited(item)
}

// throttledOwner hands every event to another handler (controller-runtime's
// EnqueueRequestForOwner, say) with the queue wrapped in rateLimitedQueue:
// the Add calls are in controller-runtime's code.
type throttledOwner struct {
	owner handler.EventHandler
}

var _ handler.EventHandler = (*throttledOwner)(nil)

func (h *throttledOwner) Create(ctx context.Context, e event.CreateEvent, q requestQueue) {
	h.owner.Create(ctx, e, rateLimitedQueue{q})
}

func (h *throttledOwner) Update(ctx context.Context, e event.UpdateEvent, q requestQueue) {
	h.owner.Update(ctx, e, rateLimitedQueue{q})
}

func (h *throttledOwner) Delete(ctx context.Context, e event.DeleteEvent, q requestQueue) {
	h.owner.Delete(ctx, e, rateLimitedQueue{q})
}

// Generic events are rare: they skip the throttle. Once the handlers'
// AddRateLimited calls are Add, calls like this one reach the adapter's Add
// too (q may be one), so it is reached from a handler in either run.
func (h *throttledOwner) Generic(ctx context.Context, e event.GenericEvent, q requestQueue) {
	q.Add(reconcile.Request{NamespacedName: types.NamespacedName{Namespace: e.Object.GetNamespace(), Name: e.Object.GetName()}})
}
