package analyzer

import (
	"golang.org/x/tools/go/analysis"

	"github.com/queuefix/queuefix/rewrite"
)

// Done reports workers with a path from Get that never calls Done of the
// item, at the place the engine would insert it, with that insertion as
// the suggested fix:
//
//	key, quit := c.queue.Get()
//	if quit {
//		return false
//	}
//	if _, ok := key.(string); !ok {
//		return true
//	}
//
// =>
//
//	key, quit := c.queue.Get()
//	if quit {
//		return false
//	}
//	defer c.queue.Done(key)
//	if _, ok := key.(string); !ok {
//		return true
//	}
//
// It follows the worker's paths exactly as queuefix does (rewrite's done
// rule), and reports without a fix the workers queuefix leaves for review.
// It sees one package: a function of another package handed the item
// with a work queue, or a method whose receiver holds one, may call Done
// and leaves the worker for review.
var Done = &analysis.Analyzer{
	Name:     string(rewrite.RuleDone),
	Doc:      doc(rewrite.RuleDone),
	URL:      info(rewrite.RuleDone).URL,
	Run:      runDone,
	Requires: []*analysis.Analyzer{workers},
}

func runDone(pass *analysis.Pass) (any, error) {
	for _, f := range rewrite.DoneUnit(scanned(pass)) {
		report(pass, f)
	}
	return nil, nil
}
