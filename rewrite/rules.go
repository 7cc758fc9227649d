package rewrite

import (
	"fmt"
	"slices"
	"strings"
)

// A Rule names what a finding is about.
type Rule string

const (
	RuleAddRateLimited Rule = "addratelimited" // a rate-limited add reached from event handlers
	RuleForget         Rule = "forget"         // a worker exit that does not Forget the item
	RuleDone           Rule = "done"           // a worker path from Get that never calls Done
	RuleIgnore         Rule = "ignore"         // a malformed or stale //queuefix:ignore directive
	RuleTyped          Rule = "typed"          // a deprecated untyped work-queue name: move to the typed API
)

// DefaultRules are the rules a run with no Options.Rules runs: typed
// rewrites types and calls all over a module, so it runs only when asked.
var DefaultRules = []Rule{RuleAddRateLimited, RuleForget, RuleDone, RuleIgnore}

// ParseRules parses a comma-separated list of rule names, as -rule takes.
func ParseRules(s string) ([]Rule, error) {
	var out []Rule
	for _, name := range strings.Split(s, ",") {
		r := Rule(strings.TrimSpace(name))
		if !isRule(r) {
			return nil, fmt.Errorf("unknown rule %q: want a comma-separated list of %s", name, ruleNames())
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

func isRule(r Rule) bool {
	return slices.ContainsFunc(Rules, func(ri RuleInfo) bool { return ri.Name == r })
}

func ruleNames() string {
	names := make([]string, len(Rules))
	for i, ri := range Rules {
		names[i] = string(ri.Name)
	}
	return strings.Join(names, ", ")
}

// runs reports whether the run includes rule r: a plain set lookup.
func (o Options) runs(r Rule) bool {
	if len(o.Rules) == 0 {
		return slices.Contains(DefaultRules, r)
	}
	return slices.Contains(o.Rules, r)
}

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
	{
		Name:    RuleTyped,
		Summary: "Deprecated untyped work queue (client-go v0.31+): move to the typed API (off by default: -rule typed)",
		Help:    "Replace each deprecated work-queue name with its Typed* twin at the queue's item type T, and drop the type assertions on items that T makes dead.",
		URL:     docURL + string(RuleTyped),
		Description: "client-go v0.31 deprecated the untyped work queue (RateLimitingInterface, NewNamedRateLimitingQueue, DefaultControllerRateLimiter, ...) " +
			"in favour of generic twins that take the item type. A typed queue checks at compile time what the untyped one asserts at run time, " +
			"and avoids boxing each item in an interface. Ten of the deprecations sit mid-paragraph, where staticcheck's SA1019 does not see them.",
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
