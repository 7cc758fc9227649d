package analyzer

import (
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/queuefix/queuefix/rewrite"
)

// AddRateLimited reports AddRateLimited calls that only event handlers
// reach, at the call, with the rewrite to Add as the suggested fix and
// the handler path as related information:
//
//	inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: c.enqueue})
//	...
//	func (c *C) enqueue(obj interface{}) { c.queue.AddRateLimited(obj) }
//
// =>
//
//	func (c *C) enqueue(obj interface{}) { c.queue.Add(obj) }
//
// It runs the engine's rule (rewrite.AddRateLimitedUnit) on the package:
// the same roots, call graph, verdicts and verified edits as queuefix,
// with exported functions nothing in the package calls taken as entry
// points, as queuefix does without -closed. Facts carry across packages
// what a dependency's function does: reaches a rate-limited add, returns
// a func that does, or hands a parameter to event handlers. A handler that
// reaches an add in a dependency is reported at the handler, with no fix:
// the edit is in the other package.
var AddRateLimited = &analysis.Analyzer{
	Name:      string(rewrite.RuleAddRateLimited),
	Doc:       doc(rewrite.RuleAddRateLimited),
	URL:       info(rewrite.RuleAddRateLimited).URL,
	Run:       runAddRateLimited,
	FactTypes: []analysis.Fact{new(summaryFact), new(queueFree)},
}

// queueFree is a package fact: the package imports neither client-go's
// cache nor its workqueue, directly or not (see rewrite.IsQueueAPI). Most
// of a controller's dependencies are such packages (the standard library,
// API types, clients); the rule builds no call graph for them.
type queueFree struct{}

func (*queueFree) AFact() {}

func (*queueFree) String() string { return "queue-free" }

// isQueueFree reports whether the pass's package is queue-free: it is not
// one of the two packages, and each package it imports has the fact. A
// package analysed without the fact (a driver that skipped it) counts as
// one that may use a queue.
func isQueueFree(pass *analysis.Pass) bool {
	if rewrite.IsQueueAPI(pass.Pkg) {
		return false
	}
	for _, imp := range pass.Pkg.Imports() {
		if imp.Path() != "unsafe" && !pass.ImportPackageFact(imp, new(queueFree)) {
			return false
		}
	}
	return true
}

// summaryFact is the engine's summary of a function, for its importers.
type summaryFact struct{ rewrite.Summary }

func (*summaryFact) AFact() {}

func (f *summaryFact) String() string {
	var parts []string
	if r := f.Reaches; r != nil {
		parts = append(parts, "reaches "+reachString(r))
	}
	if r := f.Returns; r != nil {
		parts = append(parts, "returns a func that reaches "+reachString(r))
	}
	for _, h := range f.Handlers {
		parts = append(parts, "param "+strconv.Itoa(h.Param)+" is handler "+h.How)
	}
	for _, i := range f.Calls {
		parts = append(parts, "returns a func that calls param "+strconv.Itoa(i))
	}
	return strings.Join(parts, "; ")
}

func reachString(r *rewrite.Reach) string {
	return "AddRateLimited at " + strings.Join(r.Sites, ", ") + " via " + strings.Join(r.Chain, " -> ")
}

func runAddRateLimited(pass *analysis.Pass) (any, error) {
	u := unit(pass)
	u.Summary = func(fn *types.Func) *rewrite.Summary {
		var f summaryFact
		if fn.Pkg() == nil || fn.Pkg() == pass.Pkg || !pass.ImportObjectFact(fn, &f) {
			return nil
		}
		return &f.Summary
	}
	if isQueueFree(pass) {
		pass.ExportPackageFact(new(queueFree))
		exportSummaries(pass, rewrite.FactorySummaries(u))
		return nil, nil
	}
	findings, sums := rewrite.AddRateLimitedUnit(u)
	exportSummaries(pass, sums)
	for _, f := range findings {
		if f.Rule == rewrite.RuleAddRateLimited {
			report(pass, f)
		}
	}
	return nil, nil
}

func exportSummaries(pass *analysis.Pass, sums map[*types.Func]*rewrite.Summary) {
	for obj, s := range sums {
		pass.ExportObjectFact(obj, &summaryFact{*s})
	}
}
