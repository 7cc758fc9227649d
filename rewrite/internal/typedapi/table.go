package typedapi

// v031 is the first client-go release with the typed work queue.
const v031 = "v0.31.0"

// typ is the entry of a deprecated type whose replacement is Twin[T].
func typ(name string, kind Kind, hidden bool, twin string) Entry {
	return Entry{Name: name, Kind: kind, Hidden: hidden,
		Forms: []Form{{Since: v031, Twin: twin, ExplicitT: true}}}
}

// fn is the entry of a deprecated function replaced by one form from v0.31.0.
func fn(name string, hidden bool, f Form) Entry {
	f.Since = v031
	return Entry{Name: name, Kind: Func, Hidden: hidden, Forms: []Form{f}}
}

// config is a literal Config[T]{...} argument.
func config(name string, fields ...Field) Arg {
	return Arg{Config: name, Fields: fields}
}

// Table lists every deprecated name of the work-queue package, in source
// order of queue.go, delaying_queue.go, rate_limiting_queue.go and
// default_rate_limiters.go. The tests hold it to the real client-go.
var Table = []Entry{
	// queue.go
	typ("Interface", Defined, false, "TypedInterface"),
	typ("QueueConfig", Alias, true, "TypedQueueConfig"),
	fn("New", false, Form{Twin: "NewTyped", ExplicitT: true}),
	fn("NewWithConfig", false, Form{Twin: "NewTypedWithConfig"}),
	// The name registers the queue's metrics: keep it.
	fn("NewNamed", true, Form{Twin: "NewTypedWithConfig",
		Args: []Arg{config("TypedQueueConfig", Field{"Name", 0})}}),
	typ("Type", Alias, true, "Typed"),

	// delaying_queue.go
	typ("DelayingInterface", Defined, false, "TypedDelayingInterface"),
	typ("DelayingQueueConfig", Alias, false, "TypedDelayingQueueConfig"),
	{Name: "NewDelayingQueue", Kind: Func, Forms: []Form{
		// v0.31's zero-argument twin, TypedNewDelayingQueue, was
		// misnamed and is deprecated since v0.32: use the config form.
		{Since: v031, Twin: "NewTypedDelayingQueueWithConfig",
			Args: []Arg{config("TypedDelayingQueueConfig")}},
		{Since: "v0.32.0", Twin: "NewTypedDelayingQueue", ExplicitT: true},
	}},
	fn("NewDelayingQueueWithConfig", false, Form{Twin: "NewTypedDelayingQueueWithConfig"}),
	// Generic already: only the name changes; its [T] is kept as written.
	{Name: "TypedNewDelayingQueue", Kind: Func, Forms: []Form{
		{Since: "v0.32.0", Twin: "NewTypedDelayingQueue", ExplicitT: true},
	}},
	fn("NewDelayingQueueWithCustomQueue", true, Form{Twin: "NewTypedDelayingQueueWithConfig",
		Args: []Arg{config("TypedDelayingQueueConfig", Field{"Name", 1}, Field{"Queue", 0})}}),
	fn("NewNamedDelayingQueue", true, Form{Twin: "NewTypedDelayingQueueWithConfig",
		Args: []Arg{config("TypedDelayingQueueConfig", Field{"Name", 0})}}),
	fn("NewDelayingQueueWithCustomClock", true, Form{Twin: "NewTypedDelayingQueueWithConfig",
		Args: []Arg{config("TypedDelayingQueueConfig", Field{"Name", 1}, Field{"Clock", 0})}}),

	// rate_limiting_queue.go
	typ("RateLimitingInterface", Defined, false, "TypedRateLimitingInterface"),
	typ("RateLimitingQueueConfig", Alias, false, "TypedRateLimitingQueueConfig"),
	fn("NewRateLimitingQueue", false, Form{Twin: "NewTypedRateLimitingQueue"}),
	fn("NewRateLimitingQueueWithConfig", false, Form{Twin: "NewTypedRateLimitingQueueWithConfig"}),
	fn("NewNamedRateLimitingQueue", true, Form{Twin: "NewTypedRateLimitingQueueWithConfig",
		Args: []Arg{{Old: 0}, config("TypedRateLimitingQueueConfig", Field{"Name", 1})}}),
	// The arguments swap: the limiter comes first in the new call.
	fn("NewRateLimitingQueueWithDelayingInterface", true, Form{Twin: "NewTypedRateLimitingQueueWithConfig",
		Args: []Arg{{Old: 1}, config("TypedRateLimitingQueueConfig", Field{"DelayingQueue", 0})}}),

	// default_rate_limiters.go
	typ("RateLimiter", Defined, false, "TypedRateLimiter"),
	fn("DefaultControllerRateLimiter", false, Form{Twin: "DefaultTypedControllerRateLimiter", ExplicitT: true}),
	typ("BucketRateLimiter", Alias, false, "TypedBucketRateLimiter"),
	typ("ItemExponentialFailureRateLimiter", Alias, false, "TypedItemExponentialFailureRateLimiter"),
	fn("NewItemExponentialFailureRateLimiter", false, Form{Twin: "NewTypedItemExponentialFailureRateLimiter", ExplicitT: true}),
	fn("DefaultItemBasedRateLimiter", false, Form{Twin: "DefaultTypedItemBasedRateLimiter", ExplicitT: true}),
	typ("ItemFastSlowRateLimiter", Alias, true, "TypedItemFastSlowRateLimiter"),
	fn("NewItemFastSlowRateLimiter", false, Form{Twin: "NewTypedItemFastSlowRateLimiter", ExplicitT: true}),
	typ("MaxOfRateLimiter", Alias, false, "TypedMaxOfRateLimiter"),
	fn("NewMaxOfRateLimiter", false, Form{Twin: "NewTypedMaxOfRateLimiter"}),
	typ("WithMaxWaitRateLimiter", Alias, true, "TypedWithMaxWaitRateLimiter"),
	fn("NewWithMaxWaitRateLimiter", false, Form{Twin: "NewTypedWithMaxWaitRateLimiter"}),
}

// Later lists the typed API added after v0.31.0 that a rewrite may use
// only from its Since on.
var Later = []Addition{
	{Name: "NewTypedDelayingQueue", Since: "v0.32.0"},
	{Name: "TypedDelayingQueueConfig", Field: "Logger", Since: "v0.33.0"},
}
