package analyzer

import (
	"golang.org/x/tools/go/analysis"

	"github.com/queuefix/queuefix/rewrite"
)

// Forget reports workers that do not Forget an item they processed
// successfully, at the place the engine would insert Forget, with that
// insertion as the suggested fix:
//
//	if err := c.syncHandler(key); err != nil {
//		c.queue.AddRateLimited(key)
//		return true
//	}
//	return true
//
// =>
//
//	if err := c.syncHandler(key); err != nil {
//		c.queue.AddRateLimited(key)
//		return true
//	}
//	c.queue.Forget(key)
//	return true
//
// It follows the worker's paths exactly as queuefix does (rewrite's forget
// rule), and reports without a fix the workers queuefix leaves for review.
// It sees one package: a worker whose queue receives AddRateLimited only
// in another package is not judged.
var Forget = &analysis.Analyzer{
	Name:     string(rewrite.RuleForget),
	Doc:      doc(rewrite.RuleForget),
	URL:      info(rewrite.RuleForget).URL,
	Run:      runForget,
	Requires: []*analysis.Analyzer{workers},
}

func runForget(pass *analysis.Pass) (any, error) {
	for _, f := range rewrite.ForgetUnit(scanned(pass)) {
		report(pass, f)
	}
	return nil, nil
}
