package analyzer

import (
	"reflect"

	"golang.org/x/tools/go/analysis"

	"github.com/queuefix/queuefix/rewrite"
)

// workers scans a package for its workers once, for Forget and Done to
// share (rewrite.ScanUnit). It reports nothing.
var workers = &analysis.Analyzer{
	Name:       "queuefixworkers",
	Doc:        "scan a package for work-queue workers, for the forget and done analyzers",
	Run:        func(pass *analysis.Pass) (any, error) { return rewrite.ScanUnit(unit(pass)), nil },
	ResultType: reflect.TypeFor[*rewrite.UnitScan](),
}

// scanned returns the pass's package as the workers analyzer scanned it.
func scanned(pass *analysis.Pass) *rewrite.UnitScan {
	return pass.ResultOf[workers].(*rewrite.UnitScan)
}
