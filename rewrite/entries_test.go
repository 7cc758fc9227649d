package rewrite

import (
	"strings"
	"testing"
)

const closedSrc = `package ctrl

import (
	"context"

	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

type Handler struct{ queue workqueue.RateLimitingInterface }

func (h *Handler) OnAdd(obj interface{})               { h.enqueue(obj) }
func (h *Handler) OnUpdate(oldObj, newObj interface{}) { h.requeue(newObj) }
func (h *Handler) OnDelete(obj interface{})            {}

// Enqueue is exported and nothing calls it.
func (h *Handler) Enqueue(obj interface{}) { h.enqueue(obj) }

func (h *Handler) enqueue(obj interface{}) { h.queue.AddRateLimited(obj) }

func (h *Handler) requeue(obj interface{}) { h.queue.AddRateLimited(obj) }

// Runnable is how a manager, in a dependency, would call Start.
type Runnable interface{ Start(ctx context.Context) error }

// Start is exported and nothing analysed calls it, but Runnable declares it.
func (h *Handler) Start(ctx context.Context) error {
	h.requeue("all")
	return nil
}

var _ cache.ResourceEventHandler = (*Handler)(nil)
`

// TestClosedEntries checks what Options.Closed changes: an exported method
// nothing calls is no entry point, unless a named interface declares it.
func TestClosedEntries(t *testing.T) {
	dir := stubModule(t, map[string]string{"ctrl/ctrl.go": closedSrc})
	for _, tc := range []struct {
		closed           bool
		enqueue, requeue Status
	}{
		{closed: false, enqueue: Review, requeue: Review},
		{closed: true, enqueue: Change, requeue: Review},
	} {
		res, err := Run(Options{Dir: dir, Closed: tc.closed}, nil)
		if err != nil {
			t.Fatalf("%v: %+v", err, res.Errors)
		}
		got := map[int]Finding{}
		for _, f := range res.Findings {
			got[f.Pos.Line] = f
		}
		enqueue, requeue := got[19], got[21]
		if enqueue.Status != tc.enqueue || requeue.Status != tc.requeue {
			t.Errorf("closed=%v: enqueue %v, requeue %v; want %v, %v\n%+v", tc.closed, enqueue.Status, requeue.Status, tc.enqueue, tc.requeue, res.Findings)
		}
		if hint := strings.Contains(enqueue.Message, "run queuefix with -closed"); hint == tc.closed {
			t.Errorf("closed=%v: enqueue's message suggests -closed: %v\n%s", tc.closed, hint, enqueue.Message)
		}
		if strings.Contains(requeue.Message, "-closed") {
			t.Errorf("closed=%v: requeue's message suggests -closed, but Runnable declares Start:\n%s", tc.closed, requeue.Message)
		}
	}
}
