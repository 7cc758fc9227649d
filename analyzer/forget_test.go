package analyzer_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/queuefix/queuefix/analyzer"
)

func testdata(t *testing.T) string {
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestForget checks the diagnostics against the // want comments and the
// fixed files against the .golden files.
func TestForget(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, testdata(t), analyzer.Forget, "./src/ctrl")
}

// TestAddRateLimited checks handler diagnostics with their chains, facts
// across packages, a helper shared with a resync and an exported function
// reported without a fix, and the fix where it is sound. callbacks is a
// queue-free package, summarised from syntax alone: the handler wrapped
// builds with its factory is still found and fixed.
func TestAddRateLimited(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, testdata(t), analyzer.AddRateLimited, "./src/helpers", "./src/handlers", "./src/factories", "./src/callbacks", "./src/wrapped")
}
