// Package analyzer runs queuefix's rules as go/analysis analyzers, for
// go vet -vettool, go fix -fixtool and golangci-lint. The rules are the
// engine's (package rewrite): the same recognizers, worker walk and edit
// verification as the queuefix command, on one package at a time.
package analyzer

import (
	"fmt"
	"go/token"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/queuefix/queuefix/rewrite"
)

// Analyzers is every analyzer this package provides.
var Analyzers = []*analysis.Analyzer{AddRateLimited, Forget}

// info returns the rule's entry in the engine's rule table.
func info(r rewrite.Rule) rewrite.RuleInfo {
	for _, ri := range rewrite.Rules {
		if ri.Name == r {
			return ri
		}
	}
	panic("no rule " + string(r))
}

// doc builds an analyzer's documentation from the rule table: the first
// line is its summary, as go/analysis wants.
func doc(r rewrite.Rule) string {
	ri := info(r)
	return ri.Summary + "\n\n" + ri.Description + "\n\n" + ri.Help
}

// unit hands the pass to the engine.
func unit(pass *analysis.Pass) rewrite.Unit {
	return rewrite.Unit{Fset: pass.Fset, Types: pass.Pkg, Info: pass.TypesInfo, Files: pass.Files}
}

// report reports a finding the engine made on the pass's package: a
// planned change with its edits as the one suggested fix (verified by the
// engine: the edits parse and type-check), a finding that needs review
// without one. Ignored and correct sites are not reported.
func report(pass *analysis.Pass, f rewrite.Finding) {
	if f.Status != rewrite.Change && f.Status != rewrite.Review {
		return
	}
	pos, ok := tokenPos(pass, f.Pos.Filename, f.Pos.Offset)
	if !ok {
		return // not a file of this package
	}
	d := analysis.Diagnostic{Pos: pos, Category: string(f.Rule), Message: f.Text(filepath.Base), URL: info(f.Rule).URL}
	if f.Rule == rewrite.RuleAddRateLimited && len(f.Chains) > 0 {
		d.Message += "; handler path: " + compact(f.Chains[0])
		d.Related = related(pass, f.Chains[0], pos)
	}
	if fix, ok := suggestedFix(pass, f); ok {
		d.SuggestedFixes = []analysis.SuggestedFix{fix}
	}
	pass.Report(d)
}

// compact spells a chain on one line, as queuefix prints it: the first
// frame with its position, then the function names. A diagnostic names
// the files of its own package, as a message's cause does (Finding.Text
// above): by their base names, which is how go vet's reader sees them
// beside the package's directory.
func compact(c rewrite.Chain) string {
	var parts []string
	for i, fr := range c.Frames {
		if i == 0 && fr.Pos.IsValid() {
			parts = append(parts, fmt.Sprintf("%s (%s:%d:%d)", fr.Func, filepath.Base(fr.Pos.Filename), fr.Pos.Line, fr.Pos.Column))
			continue
		}
		parts = append(parts, fr.Func)
	}
	return strings.Join(parts, " -> ")
}

// related turns the frames of a chain that lie in the pass's files into
// related information: where each function of the path makes its call.
// The diagnostic's own position (the call) is not repeated.
func related(pass *analysis.Pass, c rewrite.Chain, at token.Pos) []analysis.RelatedInformation {
	var out []analysis.RelatedInformation
	for _, fr := range c.Frames {
		if pos, ok := tokenPos(pass, fr.Pos.Filename, fr.Pos.Offset); ok && fr.Pos.IsValid() && pos != at {
			out = append(out, analysis.RelatedInformation{Pos: pos, Message: fr.Func})
		}
	}
	return out
}

func suggestedFix(pass *analysis.Pass, f rewrite.Finding) (analysis.SuggestedFix, bool) {
	if f.Status != rewrite.Change || len(f.Edits) == 0 {
		return analysis.SuggestedFix{}, false
	}
	fix := analysis.SuggestedFix{Message: fixMessage(f.Rule)}
	for _, e := range f.Edits {
		pos, ok1 := tokenPos(pass, e.File, e.Offset)
		end, ok2 := tokenPos(pass, e.File, e.End)
		if !ok1 || !ok2 {
			return analysis.SuggestedFix{}, false
		}
		fix.TextEdits = append(fix.TextEdits, analysis.TextEdit{Pos: pos, End: end, NewText: []byte(e.New)})
	}
	return fix, true
}

func fixMessage(r rewrite.Rule) string {
	if r == rewrite.RuleForget {
		return "Forget the item after a successful sync"
	}
	return "Use Add"
}

// tokenPos finds the position of offset in the named file of the pass.
func tokenPos(pass *analysis.Pass, name string, offset int) (token.Pos, bool) {
	for _, f := range pass.Files {
		tf := pass.Fset.File(f.FileStart)
		if tf.Name() == name && offset <= tf.Size() {
			return tf.Pos(offset), true
		}
	}
	return token.NoPos, false
}
