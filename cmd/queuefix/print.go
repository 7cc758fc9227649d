package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/queuefix/queuefix/rewrite"
)

// printer renders a result in the mode the flags chose.
type printer struct {
	c      *config
	res    *rewrite.Result
	dir    string // absolute working directory; paths print relative to it
	stdout io.Writer
	stderr io.Writer
	failed bool // an error was reported
}

func newPrinter(c *config, res *rewrite.Result, stdout, stderr io.Writer) *printer {
	dir, _ := filepath.Abs(c.dir)
	return &printer{c: c, res: res, dir: dir, stdout: stdout, stderr: stderr}
}

// print writes the result and returns the exit status.
func (p *printer) print(runErr error) int {
	p.printLoadErrors(runErr)
	switch {
	case p.c.json:
		p.printJSON()
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
	return p.status()
}

func (p *printer) printLoadErrors(runErr error) {
	for _, e := range p.res.Errors {
		p.failed = true
		fmt.Fprintf(p.stderr, "queuefix: package %s does not load; it was not edited and callers inside it were not considered:\n", e.Package)
		for _, msg := range e.Errors {
			fmt.Fprintf(p.stderr, "\t%s\n", p.relText(msg))
		}
	}
	if runErr != nil {
		p.failed = true
		fmt.Fprintf(p.stderr, "queuefix: %v\n", runErr)
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
		case p.c.json:
		case f.Status == rewrite.Change && !p.c.diff && !p.c.list && !p.c.write:
			p.printFinding(p.stdout, f)
		case f.Status == rewrite.Ignored && p.c.verbose:
			p.printFinding(p.stderr, f)
		}
	}
}

func (p *printer) printFinding(w io.Writer, f rewrite.Finding) {
	fmt.Fprintf(w, "%s: %s: %s\n", p.pos(f.Pos), f.Rule, p.relText(f.Message))
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

func (p *printer) pos(pos interface{ String() string }) string {
	return p.relText(pos.String())
}

// rel returns path relative to the working directory when it lies below it.
func (p *printer) rel(path string) string {
	if r, err := filepath.Rel(p.dir, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}

// relText shortens absolute paths under the working directory in s.
func (p *printer) relText(s string) string {
	return strings.ReplaceAll(s, p.dir+string(filepath.Separator), "")
}

func (p *printer) status() int {
	if p.failed {
		return exitError
	}
	for _, f := range p.res.Findings {
		if f.Status == rewrite.Review || f.Status == rewrite.Change && !p.c.write {
			return exitPending
		}
	}
	return exitClean
}
