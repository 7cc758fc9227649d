package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/queuefix/queuefix/rewrite"
)

// A module is one tree queuefix processes as a whole (its own ./...).
type module struct {
	dir string   // absolute
	env []string // GO111MODULE=off and GOPATH for a GOPATH tree
}

// A moduleRun is the outcome of processing one module.
type moduleRun struct {
	module
	res     *rewrite.Result
	err     error
	elapsed time.Duration
}

// findModules returns the modules below each root: every go.mod outside
// vendor/ and testdata/, the module enclosing a root that has none of its
// own, and GOPATH trees (a src/ directory with Go files and no go.mod),
// which are loaded with GO111MODULE=off.
func findModules(roots []string) ([]module, error) {
	seen := make(map[string]bool)
	var out []module
	add := func(m module) {
		if !seen[m.dir] {
			seen[m.dir] = true
			out = append(out, m)
		}
	}
	for _, root := range roots {
		abs, err := filepath.Abs(root)
		if err != nil {
			return nil, err
		}
		if info, err := os.Stat(abs); err != nil || !info.IsDir() {
			return nil, fmt.Errorf("-modules: %s is not a directory", root)
		}
		if err := walkModules(abs, add); err != nil {
			return nil, err
		}
	}
	out = dropInsideGOPATH(out)
	sort.Slice(out, func(i, j int) bool { return out[i].dir < out[j].dir })
	return out, nil
}

// dropInsideGOPATH removes the go.mod modules that lie inside a GOPATH
// tree being processed: GOPATH mode ignores go.mod files, and its ./...
// already covers them.
func dropInsideGOPATH(mods []module) []module {
	var gopaths []string
	for _, m := range mods {
		if len(m.env) > 0 {
			gopaths = append(gopaths, m.dir+string(filepath.Separator))
		}
	}
	var out []module
	for _, m := range mods {
		inside := false
		for _, g := range gopaths {
			inside = inside || len(m.env) == 0 && strings.HasPrefix(m.dir, g)
		}
		if !inside {
			out = append(out, m)
		}
	}
	return out
}

// walkModules calls add for each module found at or below root.
func walkModules(root string, add func(module)) error {
	enclosing := hasGoModAbove(root)
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && skipDir(d.Name()) {
				return filepath.SkipDir
			}
			if fileExists(filepath.Join(path, "go.mod")) {
				add(module{dir: path})
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || enclosing || inModule(root, path) {
			return nil
		}
		add(looseModule(filepath.Dir(path)))
		return nil
	})
}

// skipDir reports whether a directory holds no modules of the project's
// own: vendored copies, test fixtures, hidden directories.
func skipDir(name string) bool {
	return name == "vendor" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// looseModule returns the tree that a Go file outside any module belongs
// to: the GOPATH src/ above it, or its own directory.
func looseModule(dir string) module {
	slash := filepath.ToSlash(dir)
	if i := strings.LastIndex(slash+"/", "/src/"); i >= 0 {
		gopath := filepath.FromSlash(slash[:i])
		return module{
			dir: filepath.Join(gopath, "src"),
			env: []string{"GO111MODULE=off", "GOPATH=" + gopath},
		}
	}
	return module{dir: dir}
}

// hasGoModAbove reports whether dir lies inside a module (or workspace)
// declared at or above it: then its Go files are that module's.
func hasGoModAbove(dir string) bool {
	for d := dir; ; d = filepath.Dir(d) {
		if fileExists(filepath.Join(d, "go.mod")) || fileExists(filepath.Join(d, "go.work")) {
			return true
		}
		if filepath.Dir(d) == d {
			return false
		}
	}
}

// inModule reports whether a go.mod between root and file's directory
// claims the file.
func inModule(root, file string) bool {
	for d := filepath.Dir(file); strings.HasPrefix(d, root); d = filepath.Dir(d) {
		if fileExists(filepath.Join(d, "go.mod")) {
			return true
		}
		if d == root {
			break
		}
	}
	return false
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// runModules processes each module with its own ./..., two at a time: the
// go command already uses both cores for one load, and a second load
// overlaps its waits.
func runModules(mods []module, opts rewrite.Options, progress func(string)) []*moduleRun {
	runs := make([]*moduleRun, len(mods))
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i, m := range mods {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			prefixed := func(s string) { progress(filepath.Base(m.dir) + ": " + s) }
			runs[i] = runModule(m, opts, prefixed, []string{"./..."})
		}()
	}
	wg.Wait()
	return runs
}

func runModule(m module, opts rewrite.Options, progress func(string), patterns []string) *moduleRun {
	opts.Dir = m.dir
	opts.Env = append(append([]string(nil), opts.Env...), m.env...)
	opts.Progress = progress
	loaded := startLoad()
	opts.Loaded = loaded
	start := time.Now()
	res, err := rewrite.Run(opts, patterns)
	loaded()
	if res == nil {
		res = &rewrite.Result{}
	}
	return &moduleRun{module: m, res: res, err: err, elapsed: time.Since(start)}
}

// merge combines the runs' results into one, sorted like a single run's.
func merge(runs []*moduleRun) *rewrite.Result {
	all := &rewrite.Result{}
	for _, r := range runs {
		all.Findings = append(all.Findings, r.res.Findings...)
		all.Files = append(all.Files, r.res.Files...)
		all.Errors = append(all.Errors, r.res.Errors...)
		all.Packages += r.res.Packages
	}
	sort.SliceStable(all.Files, func(i, j int) bool { return all.Files[i].Path < all.Files[j].Path })
	rewrite.SortFindings(all.Findings)
	return all
}

// counts tallies a result for the summaries and the report: the verdicts
// of the AddRateLimited calls and of the workers.
type counts struct {
	files, errors int
	sites         verdicts // addratelimited findings
	workers       verdicts // forget findings
	dones         verdicts // done findings
	typed         verdicts // typed findings
}

// verdicts counts findings by status.
type verdicts struct {
	change, review, keep, ignored int
}

func (v verdicts) total() int { return v.change + v.review + v.keep + v.ignored }

func (v *verdicts) add(s rewrite.Status) {
	switch s {
	case rewrite.Change:
		v.change++
	case rewrite.Review:
		v.review++
	case rewrite.Keep:
		v.keep++
	case rewrite.Ignored:
		v.ignored++
	}
}

func countResult(res *rewrite.Result, err error) counts {
	c := counts{files: len(res.Files), errors: len(res.Errors)}
	if err != nil && c.errors == 0 {
		c.errors = 1
	}
	for _, f := range res.Findings {
		switch f.Rule {
		case rewrite.RuleAddRateLimited:
			c.sites.add(f.Status)
		case rewrite.RuleForget:
			c.workers.add(f.Status)
		case rewrite.RuleDone:
			c.dones.add(f.Status)
		case rewrite.RuleTyped:
			c.typed.add(f.Status)
		}
	}
	return c
}

// review counts every finding that needs a human, directives included.
func review(res *rewrite.Result) int {
	n := 0
	for _, f := range res.Findings {
		if f.Status == rewrite.Review {
			n++
		}
	}
	return n
}

// printSummary writes one line per module to the printer's stderr: the
// files it changes, the verdicts of its AddRateLimited calls (to Add,
// review, kept), of its workers (Forget inserted, review, already
// forgetting) and, with -rule typed, of its typed-queue edits (made,
// review, kept), its load errors and the time it took. A rule that does
// not run has no columns.
func (p *printer) printSummary() {
	names := make([]string, len(p.runs))
	width := len("module")
	for i, r := range p.runs {
		names[i] = p.rel(r.dir)
		if names[i] == p.dir {
			names[i] = "."
		}
		width = max(width, len(names[i]))
	}
	cols := p.summaryColumns()
	fmt.Fprintf(p.stderr, "\nqueuefix: %d modules\n", len(p.runs))
	fmt.Fprintf(p.stderr, "%-*s %6s", width, "module", "files")
	for _, col := range cols {
		fmt.Fprintf(p.stderr, " %*s", max(6, len(col.head)), col.head)
	}
	fmt.Fprintf(p.stderr, " %6s %8s\n", "errors", "time")
	for i, r := range p.runs {
		c := countResult(r.res, r.err)
		fmt.Fprintf(p.stderr, "%-*s %6d", width, names[i], c.files)
		for _, col := range cols {
			fmt.Fprintf(p.stderr, " %*d", max(6, len(col.head)), col.value(c))
		}
		fmt.Fprintf(p.stderr, " %6d %8s\n", c.errors, r.elapsed.Round(10*time.Millisecond))
	}
}

// A summaryColumn is one count of the -modules table.
type summaryColumn struct {
	head  string
	value func(counts) int
}

// summaryColumns are the table's counts for the rules that run: the
// default rules give the table it always had.
func (p *printer) summaryColumns() []summaryColumn {
	var cols []summaryColumn
	if p.c.runs(rewrite.RuleAddRateLimited) {
		cols = append(cols, verdictColumns("calls", "to-Add", "kept", func(c counts) verdicts { return c.sites })...)
	}
	if p.c.runs(rewrite.RuleForget) {
		cols = append(cols, verdictColumns("workers", "Forget", "forgot", func(c counts) verdicts { return c.workers })...)
	}
	if p.c.runs(rewrite.RuleTyped) {
		cols = append(cols, verdictColumns("typed", "edits", "kept", func(c counts) verdicts { return c.typed })...)
	}
	return cols
}

// verdictColumns are a rule's four columns: total, changed, review, kept.
func verdictColumns(total, changed, kept string, of func(counts) verdicts) []summaryColumn {
	return []summaryColumn{
		{total, func(c counts) int { return of(c).total() }},
		{changed, func(c counts) int { return of(c).change }},
		{"review", func(c counts) int { return of(c).review }},
		{kept, func(c counts) int { return of(c).keep }},
	}
}

// printAccounting writes the one-line account of every verdict to stderr:
//
//	queuefix: 31 AddRateLimited calls: 3 to Add, 2 need review, 26 kept; 14 workers: 1 Forget to add, 1 needs review, 12 already forget
//
// and, when a worker misses Done, the done rule's verdicts on the workers:
//
//	...; Done: 1 to add, 1 needs review, 12 called on every path
func (p *printer) printAccounting() {
	c := countResult(p.res, nil)
	added := "Forget to add"
	if p.c.write {
		added = "Forget added"
	}
	forgets := "already forget"
	if c.workers.keep == 1 {
		forgets = "already forgets"
	}
	var parts []string
	if p.c.runs(rewrite.RuleAddRateLimited) {
		parts = append(parts, plural(c.sites.total(), "AddRateLimited call")+c.sites.parts("to Add", "kept"))
	}
	if p.c.runs(rewrite.RuleForget) {
		parts = append(parts, plural(c.workers.total(), "worker")+c.workers.parts(added, forgets))
	}
	if d := p.doneAccount(c.dones); p.c.runs(rewrite.RuleDone) && d != "" {
		parts = append(parts, d)
	}
	if p.c.runs(rewrite.RuleTyped) {
		made := "to make"
		if p.c.write {
			made = "made"
		}
		parts = append(parts, plural(c.typed.total(), "typed-queue edit")+c.typed.parts(made, "kept"))
	}
	fmt.Fprintf(p.stderr, "queuefix: %s\n", strings.Join(parts, "; "))
}

// doneAccount is the done rule's part of the accounting line, "" when
// every worker calls Done on every path (the usual case says nothing).
func (p *printer) doneAccount(v verdicts) string {
	if v.change+v.review+v.ignored == 0 {
		return ""
	}
	added := "to add"
	if p.c.write {
		added = "added"
	}
	return "Done" + v.parts(added, "called on every path")
}

// parts lists the non-zero counts after a colon: changed, review, kept,
// ignored.
func (v verdicts) parts(changed, kept string) string {
	var out []string
	for _, part := range []struct {
		n    int
		text string
	}{
		{v.change, changed},
		{v.review, needReview(v.review)},
		{v.keep, kept},
		{v.ignored, "ignored"},
	} {
		if part.n > 0 {
			out = append(out, fmt.Sprintf("%d %s", part.n, part.text))
		}
	}
	if len(out) == 0 {
		return ""
	}
	return ": " + strings.Join(out, ", ")
}

func needReview(n int) string {
	if n == 1 {
		return "needs review"
	}
	return "need review"
}
