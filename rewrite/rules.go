package rewrite

// A Rule names what a finding is about.
type Rule string

const (
	RuleAddRateLimited Rule = "addratelimited" // a rate-limited add reached from event handlers
	RuleForget         Rule = "forget"         // a worker exit that does not Forget the item
	RuleIgnore         Rule = "ignore"         // a malformed or stale //queuefix:ignore directive
)

// RuleInfo describes a rule for -help, SARIF and reports.
type RuleInfo struct {
	Name    Rule
	Summary string // one line
	Help    string // what to do about a finding, in plain text
	URL     string // where the rule is documented
}

const docURL = "https://github.com/queuefix/queuefix#"

// Rules is every rule queuefix reports, in the order -help lists them.
var Rules = []RuleInfo{
	{
		Name:    RuleAddRateLimited,
		Summary: "AddRateLimited (or AddWithOpts with RateLimited: true) reached only from event handlers",
		Help:    "Use Add (drop RateLimited) when reacting to a change; a rate-limited add counts a failure of the item and is for retries after errors.",
		URL:     docURL + "what-queuefix-does",
	},
	{
		Name:    RuleForget,
		Summary: "Worker does not Forget a successfully processed item",
		Help:    "Call Forget(item) when an item is done being retried, so the rate limiter drops its failure count.",
		URL:     docURL + "what-queuefix-does",
	},
	{
		Name:    RuleIgnore,
		Summary: "Malformed or stale //queuefix:ignore directive",
		Help:    "//queuefix:ignore needs a reason and must cover a call queuefix would otherwise report.",
		URL:     docURL + "ignoring-a-site",
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
