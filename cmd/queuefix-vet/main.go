// Command queuefix-vet runs queuefix's analyzers under the go command:
//
//	go vet -vettool=$(command -v queuefix-vet) ./...
//	go fix -fixtool=$(command -v queuefix-vet) ./...   # Go 1.26: applies the fixes
//
// It checks one package at a time (see package analyzer for what that
// cannot see); the queuefix command analyses a whole module at once.
//
// Under go fix, unitchecker applies the fixes and prints no diagnostics,
// so a finding without a fix (one queuefix leaves for review) would pass
// unseen: queuefix-vet prints those to stderr, as go vet would.
package main

import (
	"encoding/json"
	"os"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/queuefix/queuefix/analyzer"
)

func main() {
	analyzers := analyzer.Analyzers
	if fixMode(os.Args[1:]) {
		analyzers = printingReviews(analyzers)
	}
	unitchecker.Main(analyzers...)
}

// fixMode reports whether the go command runs the tool to apply fixes
// (-fix) on a package whose diagnostics it wants (not for facts alone).
func fixMode(args []string) bool {
	fix, cfg := false, ""
	for _, a := range args {
		switch {
		case a == "-fix" || a == "--fix" || a == "-fix=true" || a == "--fix=true":
			fix = true
		case strings.HasSuffix(a, ".cfg"):
			cfg = a
		}
	}
	return fix && cfg != "" && !vetxOnly(cfg)
}

// vetxOnly reports whether the unit's config asks for facts only.
func vetxOnly(cfg string) bool {
	data, err := os.ReadFile(cfg)
	if err != nil {
		return false // unitchecker reports the error
	}
	var c struct{ VetxOnly bool }
	return json.Unmarshal(data, &c) == nil && c.VetxOnly
}

// printingReviews wraps each analyzer so that every diagnostic without a
// suggested fix is also printed to stderr as file:line:col: message.
func printingReviews(as []*analysis.Analyzer) []*analysis.Analyzer {
	out := make([]*analysis.Analyzer, len(as))
	for i, a := range as {
		w := *a
		w.Run = func(pass *analysis.Pass) (any, error) {
			report := pass.Report
			pass.Report = func(d analysis.Diagnostic) {
				if len(d.SuggestedFixes) == 0 {
					printReview(pass, d)
				}
				report(d)
			}
			return a.Run(pass)
		}
		out[i] = &w
	}
	return out
}

func printReview(pass *analysis.Pass, d analysis.Diagnostic) {
	os.Stderr.WriteString(pass.Fset.Position(d.Pos).String() + ": " + d.Message + "\n")
}
