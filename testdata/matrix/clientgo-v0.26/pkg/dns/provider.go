package dns

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
	"k8s.io/klog/v2"
)

// Provider is a DNS zone we can write to.
type Provider interface {
	Ensure(ctx context.Context, name string, targets []string) error
	Delete(ctx context.Context, name string) error
}

// LogProvider only logs; it is the default when no zone is configured.
type LogProvider struct{}

func (LogProvider) Ensure(_ context.Context, name string, targets []string) error {
	klog.Infof("ensure %s -> %v", name, targets)
	return nil
}

func (LogProvider) Delete(_ context.Context, name string) error {
	klog.Infof("delete %s", name)
	return nil
}

// deletionBatcher collects record deletions and flushes them in one call per
// tick, under the provider's API quota.
type deletionBatcher struct {
	mu      sync.Mutex
	limiter *rate.Limiter
	pending map[string]struct{}
}

func newDeletionBatcher(qps float64) *deletionBatcher {
	return &deletionBatcher{limiter: rate.NewLimiter(rate.Limit(qps), 1), pending: map[string]struct{}{}}
}

// AddRateLimited schedules the deletion of name for the next flush.
func (b *deletionBatcher) AddRateLimited(name string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pending[name] = struct{}{}
}

func (b *deletionBatcher) flush(ctx context.Context, p Provider) {
	if err := b.limiter.Wait(ctx); err != nil {
		return
	}
	b.mu.Lock()
	names := b.pending
	b.pending = map[string]struct{}{}
	b.mu.Unlock()
	for name := range names {
		if err := p.Delete(ctx, name); err != nil {
			klog.Errorf("deleting %s: %v", name, err)
			b.AddRateLimited(name)
		}
	}
}

func (b *deletionBatcher) run(ctx context.Context, p Provider) {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			b.flush(ctx, p)
		}
	}
}
