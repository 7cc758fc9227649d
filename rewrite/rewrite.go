// Package rewrite is queuefix's engine: it loads Go packages that use
// client-go work queues, finds AddRateLimited calls reached only from
// informer event handlers and workers that never Forget a successfully
// processed item, and plans and verifies the edits that fix them.
//
// The run goes in phases, each a value the next only reads:
//
//	load     internal/load: packages, types, syntax; broken packages apart
//	index    index.go: each file once, its directives, the client-go APIs seen
//	first    the rules that read the index alone: forget.go and done.go
//	         (over one scan of the workers, scan.go and internal/walk),
//	         typed*.go; and addratelimited.go's sites and relevant.go's
//	         relevance, which the graph needs
//	release  release.go: the bodies the graph does not read are dropped
//	graph    graph.go: SSA, call graph (internal/reach), roots and entries
//	last     addratelimited.go (index, sites and graph)
//	apply    apply.go: splice the edits, re-check them, compute the diffs
//
// Each rule returns its findings and the //queuefix:ignore directives it
// used. The index is complete when newIndex returns, the scan when
// walk.NewScan returns and the graph when buildGraph returns; none is
// written after, so the first phase's rules run concurrently, each with
// a walk.Walker of its own over the one scan. The one exception is
// release, which runs alone between the first phase and the graph: it
// drops what no later phase reads, so that the collector does not mark
// it again while the graph is built. Helpers several rules use live
// in internal/match (API identity, go/types predicates) and
// internal/source (source text and line layout). Nothing here prints or
// writes files; cmd/queuefix does.
//
// The API is Run with Options and Result (Finding, Cause, Chain, Frame,
// Edit, File, LoadError, LoadInfo, LoadMode), the rule table (Rule, Rules,
// RuleInfo, Status, ChainKind, the Fix constants) and SortFindings; for
// the go/analysis drivers, Unit, Summary, ScanUnit and UnitScan,
// ForgetUnit, DoneUnit, AddRateLimitedUnit, IsQueueAPI and
// FactorySummaries. Every other name is unexported.
package rewrite

import (
	"errors"
	"fmt"
	"go/token"
	"go/types"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/queuefix/queuefix/rewrite/internal/load"
	"github.com/queuefix/queuefix/rewrite/internal/udiff"
)

// Options configures a run.
type Options struct {
	Dir   string   // working directory; patterns and paths are relative to it
	Tags  []string // build tags
	Tests bool     // include _test.go files and test packages
	Env   []string // extra environment for the go command
	Load  LoadMode // where dependencies' types come from (see LoadMode)

	// Rules are the rules to run; nil means DefaultRules.
	Rules []Rule

	// Closed says nothing outside the analysed packages calls into them
	// (an application analysed whole): exported functions and methods
	// that nothing analysed calls are then no entry points.
	Closed bool

	// Progress, if set, is told what the run is doing: loading,
	// analysing, verifying. It may be called from several goroutines.
	Progress func(string)

	// Loaded, if set, is called once the packages are loaded, before the
	// analysis allocates anything: the place to tune the garbage collector
	// for the rest of the run.
	Loaded func()

	summary    func(*types.Func) *Summary // AddRateLimitedUnit: dependencies' summaries
	onePackage bool                       // AddRateLimitedUnit: importers are not seen
	keepBodies bool                       // tests: no release, to compare with
}

func (o Options) loadOptions() load.Options {
	return load.Options{Dir: o.Dir, Tags: o.Tags, Tests: o.Tests, Env: o.Env, Mode: o.Load, Progress: o.Progress}
}

var errNothingLoaded = errors.New("no package could be loaded")

func (o Options) progress(format string, args ...any) {
	if o.Progress != nil {
		o.Progress(fmt.Sprintf(format, args...))
	}
}

// Status says what queuefix does about a finding.
type Status int

const (
	Change  Status = iota // an edit is planned and verified
	Review                // left alone: a human must decide (the message says why)
	Ignored               // left alone by a //queuefix:ignore directive
	Keep                  // correct as it is (the message says why)
)

func (s Status) String() string {
	return [...]string{"change", "review", "ignored", "keep"}[s]
}

// A Frame is one step of a call chain: a function and the position of the
// call it makes (or, for the first frame, where the handler was registered).
type Frame struct {
	Func string
	Pos  token.Position
}

// A Chain is a call chain from an entry point to a finding.
type Chain struct {
	Kind   ChainKind
	Frames []Frame
}

// An Edit replaces the bytes [Offset, End) of File with New.
type Edit struct {
	File   string // absolute path
	Offset int
	End    int
	New    string
}

// A Finding is one site queuefix changes or reports.
type Finding struct {
	Pos     token.Position // Filename is absolute
	Rule    Rule
	Status  Status
	Message string // in words; with a Cause, it ends where the cause goes (see Text)
	Cause   *Cause // the error the finding quotes, or nil
	Fix     string // what the edits do, in one line ("AddRateLimited → Add"); empty unless Status is Change
	Chains  []Chain
	Edits   []Edit // empty unless Status is Change

	checks []editCheck // one per edit: see verify in apply.go
}

// An editCheck says where the call an edit writes is type-checked.
type editCheck struct {
	pkg *types.Package
	pos token.Pos // in the original file: names are looked up in scope there
}

// A File is a file the planned edits change.
type File struct {
	Path string // absolute
	Old  []byte
	New  []byte

	hunks []byte // the diff without its header, when Run computed it
}

// Diff returns the change as a git-style unified diff that names the file
// path (slash-separated, relative to where the diff will be applied).
func (f File) Diff(path string) []byte {
	if f.hunks == nil {
		return udiff.Unified(path, f.Old, f.New)
	}
	return udiff.WithHeader(path, f.hunks)
}

// Result is everything a run found. Findings and Files are sorted by
// position; Errors by package.
type Result struct {
	Findings []Finding
	Files    []File
	Errors   []LoadError
	Packages int // packages loaded without errors
	Load     LoadInfo
}

// Run loads the packages matching patterns and plans the fixes.
// It returns an error only when nothing could be analysed at all.
// Before it builds the call graph (unless the typed rule runs too), it
// drops the function bodies no later phase reads, and collects them with
// runtime.GC.
func Run(opts Options, patterns []string) (*Result, error) {
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	opts.progress("loading packages")
	start := time.Now()
	good, bad, info, err := load.Load(opts.loadOptions(), patterns)
	if err != nil {
		return nil, err
	}
	res := &Result{Errors: bad, Packages: len(good), Load: info}
	if len(good) == 0 {
		return res, errNothingLoaded
	}
	if opts.Loaded != nil {
		opts.Loaded()
	}
	ix := newIndex(good, start)
	first := ix.firstRules(opts)
	if opts.releases() {
		release(ix.pkgs, first.rel.keep)
		// Collect what release dropped (about half the heap on large
		// modules) now, so that SSA reuses it instead of growing the heap.
		runtime.GC()
	}
	findings, used := first.findings, first.used
	if opts.runs(RuleAddRateLimited) {
		g := buildGraph(ix, opts, first.rel)
		found, foundUsed := g.addRateLimited(first.sites)
		findings = append(found, findings...)
		used = append(foundUsed, used...)
	}
	if opts.runs(RuleIgnore) {
		all := opts.runs(RuleAddRateLimited) && opts.runs(RuleForget) && opts.runs(RuleDone)
		findings = append(findings, ix.unusedIgnores(used, all)...)
	}
	opts.progress("verifying the edits")
	res.Findings, res.Files = ix.apply(findings)
	SortFindings(res.Findings)
	return res, nil
}

// A ruleResult is what a rule found and the directives it used.
type ruleResult struct {
	findings []Finding
	used     []*ignore
}

// firstResults is what the first phase found: the findings of the rules
// that read only the index (forget, done, typed), the directives they
// used, and what the addratelimited rule needs from the syntax before
// release: its sites and the relevance of each declaration.
type firstResults struct {
	ruleResult
	sites []*site
	rel   relevance
}

// firstRules runs the rules that read only the index, and the addratelimited
// rule's search for sites and relevance, each in a goroutine of its own:
// everything that reads bodies release may drop.
// The forget and done rules read one scan of the workers, made by the
// first to ask.
func (ix *index) firstRules(opts Options) firstResults {
	scan := sync.OnceValue(ix.scan)
	forgets := onIndex(opts.runs(RuleForget), func() ([]Finding, []*ignore) { return ix.forget(scan()) })
	dones := onIndex(opts.runs(RuleDone), func() ([]Finding, []*ignore) { return ix.done(scan()) })
	typedRule := ix.typed
	if !opts.runs(RuleTyped) {
		// The typed rule's directives are not stale when it does not run.
		typedRule = func() ([]Finding, []*ignore) { return nil, ix.typedDirectives() }
	}
	typed := onIndex(opts.runs(RuleTyped) || opts.runs(RuleIgnore), typedRule)
	var out firstResults
	if opts.runs(RuleAddRateLimited) {
		var wg sync.WaitGroup
		wg.Go(func() { out.sites = ix.scanSites() })
		out.rel = relevantDecls(ix.pkgs)
		wg.Wait()
	}
	// Done follows Forget in findings: at one offset the edits splice
	// in this order, so an exit gets Forget, then Done.
	for _, r := range []ruleResult{<-forgets, <-dones, <-typed} {
		out.findings = append(out.findings, r.findings...)
		out.used = append(out.used, r.used...)
	}
	return out
}

// releases reports whether Run drops the bodies the graph does not read
// before it builds it (see release).
func (o Options) releases() bool {
	return o.runs(RuleAddRateLimited) && !o.runs(RuleTyped) && !o.keepBodies
}

// onIndex runs a rule that reads only the index in a goroutine of its
// own, if it runs at all.
func onIndex(runs bool, rule func() ([]Finding, []*ignore)) <-chan ruleResult {
	out := make(chan ruleResult, 1)
	if !runs {
		out <- ruleResult{}
		return out
	}
	go func() {
		f, used := rule()
		out <- ruleResult{f, used}
	}()
	return out
}

// SortFindings orders findings by file, offset and rule.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i].Pos, fs[j].Pos
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		if a.Offset != b.Offset {
			return a.Offset < b.Offset
		}
		return fs[i].Rule < fs[j].Rule
	})
}
