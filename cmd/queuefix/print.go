package main

import (
	"fmt"
	"go/token"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/queuefix/queuefix/rewrite"
)

// printer renders a result in the mode the flags chose.
type printer struct {
	c        *config
	patterns []string
	runs     []*moduleRun
	res      *rewrite.Result // all runs merged
	dir      string          // absolute working directory; paths print relative to it
	stdout   io.Writer
	stderr   io.Writer
	failed   bool // an error was reported
}

func newPrinter(c *config, patterns []string, runs []*moduleRun, stdout, stderr io.Writer) *printer {
	dir, _ := filepath.Abs(c.dir)
	res := runs[0].res
	if len(runs) > 1 || c.modules {
		res = merge(runs)
	}
	return &printer{c: c, patterns: patterns, runs: runs, res: res, dir: dir, stdout: stdout, stderr: stderr}
}

// print writes the result and returns the exit status.
func (p *printer) print() int {
	p.printLoadErrors()
	switch {
	case p.c.json:
		p.printJSON()
	case p.c.format == "sarif":
		p.printSARIF()
	case p.c.diff:
		p.printDiffs()
	case p.c.list:
		for _, f := range p.res.Files {
			fmt.Fprintln(p.stdout, p.rel(f.Path))
		}
	case p.c.write:
		p.writeFiles()
	}
	p.printFindings()
	if p.c.report != "" {
		p.writeReport()
	}
	if p.c.modules {
		p.printSummary()
	}
	p.printAccounting()
	return p.status()
}

func (p *printer) printLoadErrors() {
	for _, e := range p.loadErrors() {
		p.failed = true
		if p.isPattern(e.Package) {
			fmt.Fprintf(p.stderr, "queuefix: pattern %s matches no packages:\n", e.Package)
		} else {
			fmt.Fprintf(p.stderr, "queuefix: package %s does not load; it was not edited and callers inside it were not considered:\n", e.Package)
		}
		for _, msg := range e.Errors {
			fmt.Fprintf(p.stderr, "\t%s\n", strings.TrimPrefix(msg, "pattern "+e.Package+": "))
			if p.isPattern(e.Package) && strings.Contains(msg, "go.work") {
				fmt.Fprintf(p.stderr, "\tin a workspace, name the modules (./a/... ./b/...) or run queuefix -modules .\n")
			}
		}
	}
	for _, r := range p.runs {
		if r.err == nil {
			continue
		}
		p.failed = true
		if p.c.modules {
			fmt.Fprintf(p.stderr, "queuefix: %s: %v\n", p.rel(r.dir), r.err)
			continue
		}
		fmt.Fprintf(p.stderr, "queuefix: %v\n", r.err)
	}
}

func (p *printer) printDiffs() {
	for _, f := range p.res.Files {
		p.stdout.Write(f.Diff(filepath.ToSlash(p.rel(f.Path))))
	}
}

// printFindings prints the findings as file:line:col: rule: message with
// their chains. Findings that need review go to stderr in every mode;
// planned changes go to stdout in the default mode only.
func (p *printer) printFindings() {
	for _, f := range p.res.Findings {
		switch {
		case f.Status == rewrite.Review:
			p.printFinding(p.stderr, f)
		case p.c.json || p.c.format == "sarif":
		case f.Status == rewrite.Change && !p.c.diff && !p.c.list && !p.c.write:
			p.printFinding(p.stdout, f)
		case (f.Status == rewrite.Ignored || f.Status == rewrite.Keep) && p.c.verbose:
			p.printFinding(p.stderr, f)
		}
	}
}

func (p *printer) printFinding(w io.Writer, f rewrite.Finding) {
	fmt.Fprintf(w, "%s: %s: %s\n", p.pos(f.Pos), f.Rule, f.Text(p.rel))
	for _, c := range f.Chains {
		if p.c.verbose {
			fmt.Fprintf(w, "\t%s path:\n", c.Kind)
			for _, fr := range c.Frames {
				fmt.Fprintf(w, "\t\t%s: %s\n", p.pos(fr.Pos), fr.Func)
			}
			continue
		}
		fmt.Fprintf(w, "\t%s path: %s\n", c.Kind, p.compact(c))
	}
}

// compact prints a chain on one line: the first frame with its position,
// then the function names.
func (p *printer) compact(c rewrite.Chain) string {
	var parts []string
	for i, fr := range c.Frames {
		if i == 0 {
			parts = append(parts, fmt.Sprintf("%s (%s)", fr.Func, p.pos(fr.Pos)))
			continue
		}
		parts = append(parts, fr.Func)
	}
	return strings.Join(parts, " -> ")
}

// pos spells a position with its file relative to the working directory.
func (p *printer) pos(pos token.Position) string {
	pos.Filename = p.rel(pos.Filename)
	return pos.String()
}

// rel returns path relative to the working directory when it lies below it.
func (p *printer) rel(path string) string {
	if r, err := filepath.Rel(p.dir, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}

// relText shortens absolute paths under the working directory in s: the
// go command's error text, which names files inside its words.
func (p *printer) relText(s string) string {
	return strings.ReplaceAll(s, p.dir+string(filepath.Separator), "")
}

func (p *printer) status() int {
	if p.failed {
		return exitError
	}
	if p.c.json || p.c.format == "sarif" {
		return exitClean // the output is the result, as govulncheck -format does
	}
	for _, f := range p.res.Findings {
		if f.Status == rewrite.Review || f.Status == rewrite.Change && !p.c.write {
			return exitPending
		}
	}
	return exitClean
}

const depFailed = "dependency failed to type-check"

// loadErrors returns the load errors ready to show: messages split into
// lines without the go command's "# pkg" headers, with relative paths and
// no duplicates. A test variant that fails exactly as its package does is
// folded into it, and a generated test main that fails only because a
// package it imports does is dropped: neither holds anything else to fix.
func (p *printer) loadErrors() []rewrite.LoadError {
	var out []rewrite.LoadError
	shown := map[string]string{} // package without its variant -> messages
	for _, e := range p.res.Errors {
		msgs := p.cleanMessages(e.Errors)
		key := strings.Join(msgs, "\n")
		base, isTestMain := variantOf(e.Package)
		if prev, ok := shown[base]; ok && prev == key {
			continue // a test variant failing as its package does
		}
		if isTestMain && key == depFailed && len(p.res.Errors) > 1 {
			continue // the failing dependency is reported on its own
		}
		if _, ok := shown[base]; !ok {
			shown[base] = key
		}
		out = append(out, rewrite.LoadError{Package: e.Package, Errors: msgs})
	}
	return out
}

// variantOf returns the package a go/packages ID belongs to, "p" for
// "p [p.test]" and for the test main "p.test", and reports whether the ID
// is a test main.
func variantOf(id string) (base string, isTestMain bool) {
	if i := strings.Index(id, " ["); i >= 0 {
		return id[:i], false
	}
	if base, ok := strings.CutSuffix(id, ".test"); ok {
		return base, true
	}
	return id, false
}

// cleanMessages splits the go command's multi-line errors into lines,
// drops its "# pkg" headers and the "-: " of errors without a position,
// shortens paths and removes duplicates, which the go command's and the
// type checker's reports of one error are.
func (p *printer) cleanMessages(errs []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range errs {
		for _, line := range strings.Split(strings.TrimPrefix(e, "-: "), "\n") {
			line = p.relText(strings.TrimRight(line, " \t\r"))
			if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "# ") || seen[line] {
				continue
			}
			seen[line] = true
			out = append(out, line)
		}
	}
	return out
}

// isPattern reports whether a load error names a command-line pattern that
// matched nothing: go/packages then puts the pattern where the package
// path goes. Relative, absolute and wildcard patterns are never package
// paths; an import path that names no package is reported as a package.
func (p *printer) isPattern(name string) bool {
	patterns := p.patterns
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	if !slices.Contains(patterns, name) {
		return false
	}
	return strings.HasPrefix(name, ".") || filepath.IsAbs(name) || strings.Contains(name, "...")
}
