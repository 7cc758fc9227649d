package rewrite

// A Rule names what a finding is about.
type Rule string

const (
	RuleAddRateLimited Rule = "addratelimited" // a rate-limited add reached from event handlers
	RuleForget         Rule = "forget"         // a worker exit that does not Forget the item
	RuleDone           Rule = "done"           // a worker path from Get that never calls Done
	RuleIgnore         Rule = "ignore"         // a malformed or stale //queuefix:ignore directive
)

// RuleInfo describes a rule for -help, SARIF and reports.
type RuleInfo struct {
	Name    Rule
	Summary string // one line
	Help    string // what to do about a finding, in plain text
	URL     string // where the rule is documented

	// Description says in a paragraph why the rule matters (SARIF's
	// fullDescription; code scanning shows it with each alert).
	Description string
}

// docURL is docs/rules.md, whose headings are the rule names: stable
// anchors, checked by the docs package's tests.
const docURL = "https://github.com/queuefix/queuefix/blob/main/docs/rules.md#"

// Rules is every rule queuefix reports, in the order -help lists them.
var Rules = []RuleInfo{
	{
		Name:    RuleAddRateLimited,
		Summary: "AddRateLimited (or AddWithOpts with RateLimited: true) reached only from event handlers",
		Help:    "Use Add (drop RateLimited) when reacting to a change; a rate-limited add counts a failure of the item and is for retries after errors.",
		URL:     docURL + string(RuleAddRateLimited),
		Description: "AddRateLimited asks the queue's rate limiter when to add the item, and the limiter counts each call as a failure of that item. " +
			"Called from informer event handlers, every event pays the shared token bucket and repeated events for one key back off exponentially, " +
			"up to about 16 minutes, until a worker calls Forget; items that are never forgotten stay in the limiter's map.",
	},
	{
		Name:    RuleForget,
		Summary: "Worker does not Forget a successfully processed item",
		Help:    "Call Forget(item) when an item is done being retried, so the rate limiter drops its failure count.",
		URL:     docURL + string(RuleForget),
		Description: "A worker that requeues failed items with AddRateLimited must call Forget once the item succeeds. " +
			"Otherwise the limiter keeps the item's failure count: the next failure of the same key starts at a long backoff, " +
			"and the limiter's map keeps an entry, and what the item points to, for every item ever retried.",
	},
	{
		Name:    RuleDone,
		Summary: "Worker path from Get that never calls Done",
		Help:    "Call Done(item) on every path after Get, best as defer queue.Done(item) right after the shutdown check.",
		URL:     docURL + string(RuleDone),
		Description: "A work queue keeps every item Get hands out in its processing set until Done(item) is called; Adds of the item meanwhile only mark it dirty. " +
			"A worker that returns between Get and Done (an invalid key, a lister error, a recovered panic) leaves the item there for good: " +
			"it is never handed out again and the object is no longer reconciled.",
	},
	{
		Name:    RuleIgnore,
		Summary: "Malformed or stale //queuefix:ignore directive",
		Help:    "//queuefix:ignore needs a reason and must cover a call queuefix would otherwise report.",
		URL:     docURL + string(RuleIgnore),
		Description: "A //queuefix:ignore directive without a reason, or one that no longer covers a site queuefix reports, " +
			"hides nothing and misleads readers; give the reason or delete the directive.",
	},
}

// A ChainKind says where a call chain starts.
type ChainKind string

const (
	ChainHandler ChainKind = "handler" // an event-handler registration
	ChainOther   ChainKind = "other"   // an entry point that is not a handler
	ChainSuccess ChainKind = "success" // a worker's path from Get to where it ends
	ChainExit    ChainKind = "exit"    // a worker's path from Get to an exit that is not a success
)

// The Fix of the addratelimited rule's changes. The forget and done
// rules' Fix names the statement they insert: "insert c.queue.Forget(key)",
// "insert defer c.queue.Done(key)".
const (
	FixAdd             = "AddRateLimited → Add"   // the call is renamed
	FixDropRateLimited = "drop RateLimited: true" // from an AddWithOpts options literal
)
