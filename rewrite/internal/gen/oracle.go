package gen

// A Verdict is what queuefix should decide about a site or a worker.
type Verdict string

const (
	Change Verdict = "change" // edit it
	Review Verdict = "review" // leave it, and say so
	Keep   Verdict = "keep"   // leave it: it is right (no finding, or a keep finding)
	None   Verdict = "none"   // a worker with nothing to fix
)

// A Site is one AddRateLimited call the generator wrote, marked in the
// source by a `// site:ID` comment on its line.
type Site struct {
	ID      string
	Verdict Verdict
	Handler bool // reached from event handlers (else the worker's retry)
}

// Kinds of path through a worker, named after how the item ends its step.
const (
	PathOK        = "ok"        // sync succeeded
	PathTransient = "transient" // sync failed, retry
	PathPermanent = "permanent" // sync failed for good
	PathExhausted = "exhausted" // sync failed and the retries are used up
	PathInvalid   = "invalid"   // the item is not one the worker can sync
)

// A Path is what one kind of path does with the item.
type Path struct {
	Requeue string // "ratelimited", "after", or "" (the retry cycle ends)
	Forgets bool   // calls Forget before the fix
	Undone  bool   // misses Done before the fix
}

// Ends reports whether the path ends the item's retry cycle.
func (p Path) Ends() bool { return p.Requeue == "" }

// An Oracle is what the generator knows it built.
type Oracle struct {
	Sites      []Site
	Worker     Verdict         // "" for controller-runtime handlers
	Done       Verdict         // the done rule's verdict on the worker; "" for controller-runtime handlers
	Paths      map[string]Path // by path kind; nil without a worker
	Limit      bool            // the transient path drops past MaxRetries
	RetryPerm  bool            // a permanent failure is retried like a transient one
	MaxRetries int
	NeedsV2    bool // some expectation needs Forget rule v2 (issue 9)
}

const maxRetries = 3

// oracleFor works out the expectations of a shape; sites come from the
// emitter, which knows which call it wrote where.
func oracleFor(s Shape, sites []Site) Oracle {
	o := Oracle{Sites: sites, MaxRetries: maxRetries}
	if s.CR {
		return o
	}
	o.Limit, o.RetryPerm = s.Limit, s.Perm == "retry" || s.Outcome == "bool"
	o.Paths = map[string]Path{
		PathOK:        {Forgets: s.Success},
		PathTransient: {Requeue: "ratelimited"},
	}
	switch {
	case o.RetryPerm:
		o.Paths[PathPermanent] = o.Paths[PathTransient]
	case s.Perm == "after":
		o.Paths[PathPermanent] = Path{Requeue: "after"}
	default:
		o.Paths[PathPermanent] = Path{Forgets: s.Drop}
	}
	if s.Limit {
		o.Paths[PathExhausted] = Path{Forgets: s.Drop}
	}
	if s.Invalid != "none" {
		o.Paths[PathInvalid] = Path{Forgets: s.Invalid == "forget"}
	}
	o.Worker = None
	for kind, p := range o.Paths {
		if p.Ends() && !p.Forgets {
			o.Worker = Change
			if kind != PathOK {
				o.NeedsV2 = true
			}
		}
	}
	// An item handed to a goroutine escapes: only a human can say where
	// its retry cycle ends. Rule v1 cannot follow a loop around sync;
	// rule v2 follows a loop that neither requeues nor forgets.
	if s.Worker == "escape" || s.Worker == "loop" && !s.V2 {
		o.Worker = Review
	}
	// A key stored in a map that only lookups read keeps nothing from
	// its retry cycle (the verdict stands); a key parked in a map that
	// other code drains into the queue escapes there (issue 19). Every
	// path but the invalid item's passes the store (that one returns
	// before it), so a worker whose only path missing Forget is the
	// invalid item's gets Forget there.
	if s.Store == "parked" && o.Worker == Change && missesForgetPastStore(o.Paths) {
		o.Worker = Review
	}
	if s.Worker == "split" || s.Outcome == "enum" || s.Outcome == "bool" || s.Outcome == "settle" {
		o.NeedsV2 = true
	}
	o.Done = doneVerdict(s, o.Paths)
	return o
}

// missesForgetPastStore reports whether a path that passes the worker's
// store of the key (any but the invalid item's) ends without Forget.
func missesForgetPastStore(paths map[string]Path) bool {
	for kind, p := range paths {
		if kind != PathInvalid && p.Ends() && !p.Forgets {
			return true
		}
	}
	return false
}

// doneVerdict marks the paths that miss Done and says what the done rule
// should decide: insert it, or leave a worker whose item a goroutine
// takes to a human.
func doneVerdict(s Shape, paths map[string]Path) Verdict {
	// The done walk follows a helper called in a switch tag as it follows
	// one called as a statement, so the Done the split worker's helper
	// defers counts on every path (worker=split outcome=enum).
	switch s.Done {
	case "none":
		for kind, p := range paths {
			p.Undone = true
			paths[kind] = p
		}
	case "early":
		p := paths[PathInvalid]
		p.Undone = true
		paths[PathInvalid] = p
	default:
		return None
	}
	if s.Worker == "escape" {
		return Review
	}
	// A parked key escapes on every path that reaches the decision, so a
	// worker without any Done lets it escape without Done; the early
	// return of an invalid item stores nothing.
	if s.Store == "parked" && s.Done == "none" {
		return Review
	}
	return Change
}

// PathOf names the path a worker step took: the last scripted outcome of
// its syncs ("" when it synced nothing) and the item's requeue count at Get.
func (o Oracle) PathOf(outcome string, requeues int) string {
	switch outcome {
	case "":
		return PathInvalid
	case "ok":
		return PathOK
	case "permanent":
		if !o.RetryPerm {
			return PathPermanent
		}
	}
	if o.Limit && requeues >= o.MaxRetries {
		return PathExhausted
	}
	return PathTransient
}
