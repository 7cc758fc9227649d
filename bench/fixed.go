package main

// The files every generated package has, whatever the seed: the controller
// with the two planted bugs, the shared types the package above imports,
// and the bridge to the package below.

// controllerText plants one handler-only AddRateLimited (in enqueue) and a
// worker that never forgets on success. The retry AddRateLimited in
// processNextItem is reached only from wait.Until and must stay.
const controllerText = `package {{.Pkg}}

import (
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

const maxRetries = 5

// Controller keeps the store's items validated and weighed as the
// informer's objects change.
type Controller struct {
	queue      workqueue.RateLimitingInterface
	informer   cache.SharedIndexInformer
	store      *Store
	validators []Validator
	weigh      func(*Item) (int, error)
}

// NewController wires the informer's events into the work queue.
func NewController(informer cache.SharedIndexInformer, store *Store) *Controller {
	c := &Controller{
		queue:      workqueue.NewRateLimitingQueue(workqueue.DefaultControllerRateLimiter()),
		informer:   informer,
		store:      store,
		validators: []Validator{ValidatorFunc({{.E}}), ValidatorFunc({{.E2}})},
		weigh:      {{.I}},
	}
	informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: c.enqueue,
		UpdateFunc: func(old, new interface{}) {
			c.enqueue(new)
		},
		DeleteFunc: c.enqueue,
	})
	return c
}

func (c *Controller) enqueue(obj interface{}) {
	key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err != nil {
		return
	}
	c.queue.AddRateLimited(key)
}

// Run starts a worker and blocks until stopCh is closed.
func (c *Controller) Run(stopCh <-chan struct{}) {
	defer c.queue.ShutDown()
	if !cache.WaitForCacheSync(stopCh, c.informer.HasSynced) {
		return
	}
	go wait.Until(c.runWorker, time.Second, stopCh)
	<-stopCh
}

func (c *Controller) runWorker() {
	for c.processNextItem() {
	}
}

func (c *Controller) processNextItem() bool {
	key, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(key)
	if err := c.sync(key.(string)); err != nil {
		if c.queue.NumRequeues(key) < maxRetries {
			c.queue.AddRateLimited(key)
			return true
		}
		c.queue.Forget(key)
		return true
	}
	return true
}

// sync validates and weighs the item stored under key.
func (c *Controller) sync(key string) error {
	it, ok := c.store.Get(key)
	if !ok {
		return nil
	}
	for _, v := range c.validators {
		if err := v.Validate(it); err != nil {
			return fmt.Errorf("sync %s: %w", key, err)
		}
	}
	n, err := c.weigh(it)
	if err != nil {
		return fmt.Errorf("sync %s: %w", key, err)
	}
	it.Weight = n
	it.Updated = time.Now()
	c.store.Put(it)
	return nil
}
`

// typesText is the API the package above uses: the item and store types,
// and a few exported helpers.
const typesText = `package {{.Pkg}}

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Item is one object the controller of this package reconciles.
type Item struct {
	Key      string
	Name     string
	Owner    string
	Labels   map[string]string
	Weight   int
	Children []string
	Updated  time.Time
}

// Store is a concurrency-safe index of items by key.
type Store struct {
	mu    sync.RWMutex
	items map[string]*Item
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{items: make(map[string]*Item)}
}

// Get returns the item stored under key.
func (s *Store) Get(key string) (*Item, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	it, ok := s.items[key]
	return it, ok
}

// Put stores it under its key, replacing any previous item.
func (s *Store) Put(it *Item) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[it.Key] = it
}

// List returns the stored items sorted by key.
func (s *Store) List() []*Item {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*Item, 0, len(s.items))
	for _, it := range s.items {
		out = append(out, it)
	}
	return SortByKey(out)
}

// SortByKey sorts items by key in place and returns them.
func SortByKey(items []*Item) []*Item {
	sort.Slice(items, func(i, j int) bool { return items[i].Key < items[j].Key })
	return items
}

// Normalize lowercases s and turns runs of separators into one dash.
func Normalize(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		if r == ' ' || r == '_' || r == '-' {
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = true
			continue
		}
		dash = false
		b.WriteRune(r)
	}
	return strings.TrimSuffix(b.String(), "-")
}

// Checksum is an FNV-1a hash of the item's key, weight and labels.
func Checksum(it *Item) uint32 {
	h := uint32(2166136261)
	add := func(s string) {
		for i := 0; i < len(s); i++ {
			h ^= uint32(s[i])
			h *= 16777619
		}
	}
	add(it.Key)
	add(fmt.Sprint(it.Weight))
	keys := make([]string, 0, len(it.Labels))
	for k := range it.Labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		add(k)
		add(it.Labels[k])
	}
	return h
}

// Weigh is the base weight of an item: its own weight plus one per child.
func Weigh(it *Item) (int, error) {
	if it.Weight < 0 {
		return 0, &ErrInvalid{Key: it.Key, Reason: "negative weight"}
	}
	return it.Weight + len(it.Children), nil
}

// HasOwner reports whether the item names an owner.
func HasOwner(it *Item) bool { return it.Owner != "" }

// CheckName rejects items without a name.
func CheckName(it *Item) error {
	if it.Name == "" {
		return &ErrInvalid{Key: it.Key, Reason: "no name"}
	}
	return nil
}

// A Validator checks one item.
type Validator interface {
	Validate(it *Item) error
}

// ValidatorFunc adapts a function to Validator.
type ValidatorFunc func(it *Item) error

// Validate calls f(it).
func (f ValidatorFunc) Validate(it *Item) error { return f(it) }

// ErrInvalid reports an item that cannot be reconciled.
type ErrInvalid struct {
	Key    string
	Reason string
}

func (e *ErrInvalid) Error() string {
	return fmt.Sprintf("item %s is invalid: %s", e.Key, e.Reason)
}
`

// bridgeText connects a package to the one below it, so that the import
// graph is as deep as there are packages.
const bridgeText = `package {{.Pkg}}

import prev "{{.Prev}}"

// prevStore holds the items the layer below has published.
var prevStore = prev.NewStore()

// fromPrev copies an item of the layer below into this package's type.
func fromPrev(p *prev.Item) *Item {
	labels := make(map[string]string, len(p.Labels))
	for k, v := range p.Labels {
		labels[k] = v
	}
	return &Item{
		Key:      p.Key,
		Name:     p.Name,
		Owner:    p.Owner,
		Labels:   labels,
		Weight:   p.Weight,
		Children: append([]string(nil), p.Children...),
		Updated:  p.Updated,
	}
}

// toPrev is the inverse of fromPrev; the two items share their labels.
func toPrev(it *Item) *prev.Item {
	return &prev.Item{Key: it.Key, Name: it.Name, Owner: it.Owner, Labels: it.Labels,
		Weight: it.Weight, Children: it.Children, Updated: it.Updated}
}

func prevLookup(key string) (*Item, bool) {
	p, ok := prevStore.Get(key)
	if !ok {
		return nil, false
	}
	return fromPrev(p), true
}

func prevNormalize(s string) string { return prev.Normalize(s) }

func prevChecksum(it *Item) uint32 { return prev.Checksum(toPrev(it)) }

func prevValidate(it *Item) error {
	var v prev.Validator = prev.ValidatorFunc(prev.CheckName)
	return v.Validate(toPrev(it))
}
`

// bottomBridgeText is the bridge of the first package, which has nothing below.
const bottomBridgeText = `package {{.Pkg}}

// This is the bottom layer: what is "below" it is a local store.
var prevStore = NewStore()

func prevLookup(key string) (*Item, bool) { return prevStore.Get(key) }

func prevNormalize(s string) string { return Normalize(s) }

func prevChecksum(it *Item) uint32 { return Checksum(it) }

func prevValidate(it *Item) error { return CheckName(it) }
`
