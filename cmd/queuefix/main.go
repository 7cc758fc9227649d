// Command queuefix fixes client-go work queue misuse in controllers: it
// rewrites AddRateLimited calls reached only from informer event handlers
// to Add, and inserts Forget on the success path of workers.
//
// Usage:
//
//	queuefix [flags] [packages]
//
// See queuefix -help for the flags and exit codes.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/queuefix/queuefix/internal/version"
	"github.com/queuefix/queuefix/rewrite"
)

// Exit codes, as gofmt -d: nothing to do, something to do, error.
const (
	exitClean   = 0
	exitPending = 1
	exitError   = 2
)

const usage = `usage: queuefix [flags] [packages]

queuefix finds AddRateLimited calls reached only from informer event handlers
and rewrites them to Add (for controller-runtime's priority queue, drops
RateLimited: true from AddWithOpts), and inserts Forget(item) on the success
path of workers that Get from a rate-limiting queue. Packages are go list
patterns relative to the working directory (default ./...).

Without a mode flag (-diff or -check, -l, -w, -json, -format json|sarif)
it prints what it would change and what needs review as file:line:col:
rule: message. Findings that need review are always printed to stderr,
whatever the mode; -v adds the sites it keeps (with the reason) and the
ones //queuefix:ignore leaves alone, and -json carries every verdict. A
last line on stderr accounts for every AddRateLimited call and every
worker.

With -closed, exported functions and methods that nothing analysed calls
are not entry points: safe for an application analysed whole, not for a
library that other modules import.

Exit status:
  0  nothing to change and nothing needs review
  1  changes pending (not -w) or findings that need review remain
     (never with -json or -format json|sarif: the output says what was
     found)
  2  errors: bad flags, packages that failed to load, a failed write

Rules (-rule selects; typed runs only when named):
%s
Flags:
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type config struct {
	dir     string
	diff    bool
	write   bool
	list    bool
	json    bool
	format  string
	report  string
	modules bool
	verbose bool
	tests   bool
	tags    string
	closed  bool
	load    string
	version bool
	rules   string
}

func parseFlags(args []string, stderr io.Writer) (*config, []string, error) {
	c := &config{}
	fs := flag.NewFlagSet("queuefix", flag.ContinueOnError)
	// The flag package would print a parse error and then the whole usage,
	// burying the error; run prints the error once, with a pointer to -help.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&c.dir, "C", ".", "change to `dir` before doing anything")
	fs.BoolVar(&c.diff, "diff", false, "print a git-style unified diff of the changes; write nothing")
	fs.BoolVar(&c.write, "w", false, "write the changes to the files")
	fs.BoolVar(&c.list, "l", false, "list the files that would change")
	fs.BoolVar(&c.diff, "check", false, "same as -diff: for CI, exits 1 while anything is left to change or review")
	fs.BoolVar(&c.json, "json", false, "print findings, chains, edits and diffs as JSON (same as -format json)")
	fs.StringVar(&c.format, "format", "", "output `format`: text (the default), json (same as -json) or sarif (SARIF 2.1.0, for code scanning)")
	fs.StringVar(&c.report, "report", "", "also write a Markdown report for a pull request description to `file`")
	fs.BoolVar(&c.modules, "modules", false, "treat arguments as directories and process every Go module below them")
	fs.BoolVar(&c.verbose, "v", false, "print every frame of each call chain, and the sites kept or ignored, with the reason")
	fs.BoolVar(&c.tests, "test", true, "include _test.go files and test packages")
	fs.StringVar(&c.tags, "tags", "", "comma-separated build `tags`")
	fs.BoolVar(&c.closed, "closed", false, "nothing outside these packages calls them: exported functions nothing analysed calls are no entry points")
	fs.StringVar(&c.rules, "rule", "", "comma-separated `rules` to run (default addratelimited,forget,done,ignore; typed runs only when named)")
	fs.BoolVar(&c.version, "version", false, "print queuefix's version and exit")
	fs.StringVar(&c.load, "load", "auto", "where dependencies' types come from: `auto`, source (type-check them, compile nothing) or export (compile them, as go vet)")
	if err := fs.Parse(args); err == flag.ErrHelp {
		fmt.Fprintf(stderr, usage, ruleHelp())
		fs.SetOutput(stderr)
		fs.PrintDefaults()
		return nil, nil, err
	} else if err != nil {
		return nil, nil, fmt.Errorf("%v; run queuefix -help for usage", err)
	}
	if _, err := rewrite.ParseLoadMode(c.load); err != nil {
		return nil, nil, err
	}
	if c.rules != "" {
		if _, err := rewrite.ParseRules(c.rules); err != nil {
			return nil, nil, fmt.Errorf("-rule %s: %w", c.rules, err)
		}
	}
	switch c.format {
	case "", "text":
		c.format = ""
	case "json":
		c.json = true
	case "sarif":
	default:
		return nil, nil, fmt.Errorf("-format %s: want text, json or sarif", c.format)
	}
	modes := 0
	for _, on := range []bool{c.diff, c.write, c.list, c.json, c.format == "sarif"} {
		if on {
			modes++
		}
	}
	if modes > 1 {
		return nil, nil, fmt.Errorf("-diff, -w, -l, -json and -format are exclusive")
	}
	if info, err := os.Stat(c.dir); err != nil {
		return nil, nil, fmt.Errorf("-C %s: %w", c.dir, err)
	} else if !info.IsDir() {
		return nil, nil, fmt.Errorf("-C %s: not a directory", c.dir)
	}
	return c, fs.Args(), nil
}

// runs reports whether the run includes rule r (-rule, or the default).
func (c *config) runs(r rewrite.Rule) bool {
	rules := rewrite.DefaultRules
	if c.rules != "" {
		rules, _ = rewrite.ParseRules(c.rules)
	}
	return slices.Contains(rules, r)
}

// ruleHelp lists the rules for -help from the engine's table.
func ruleHelp() string {
	var b strings.Builder
	for _, r := range rewrite.Rules {
		fmt.Fprintf(&b, "  %-15s %s\n  %-15s %s\n", r.Name, r.Summary, "", r.Help)
	}
	return b.String()
}

func run(args []string, stdout, stderr io.Writer) int {
	c, patterns, err := parseFlags(args, stderr)
	if err == flag.ErrHelp {
		return exitClean
	}
	if err != nil {
		fmt.Fprintf(stderr, "queuefix: %v\n", err)
		return exitError
	}
	if c.version {
		fmt.Fprintf(stdout, "queuefix %s %s\n", version.String(), runtime.Version())
		return exitClean
	}
	opts := rewrite.Options{Tests: c.tests, Closed: c.closed}
	opts.Load, _ = rewrite.ParseLoadMode(c.load)
	if c.rules != "" {
		opts.Rules, _ = rewrite.ParseRules(c.rules)
	}
	if c.tags != "" {
		opts.Tags = strings.Split(c.tags, ",")
	}
	prog := startProgress(stderr)
	runs, err := c.runAll(opts, patterns, prog.set)
	prog.stop()
	if err != nil {
		fmt.Fprintf(stderr, "queuefix: %v\n", err)
		return exitError
	}
	printLoads(c, runs, stderr)
	return newPrinter(c, patterns, runs, stdout, stderr).print()
}

// printLoads says on stderr which runs fell back from a source load to
// export data, and with -v how every run loaded and why.
func printLoads(c *config, runs []*moduleRun, stderr io.Writer) {
	for _, r := range runs {
		l := r.res.Load
		name := ""
		if c.modules {
			name = r.dir + ": "
		}
		switch {
		case l.Fallback:
			fmt.Fprintf(stderr, "queuefix: %sno source load (%s): loaded with export data\n", name, l.Why)
		case c.verbose && l.Why != "":
			fmt.Fprintf(stderr, "queuefix: %sloaded with %s data: %s\n", name, map[rewrite.LoadMode]string{rewrite.LoadSource: "source", rewrite.LoadExport: "export"}[l.Mode], l.Why)
		}
	}
}

// runAll processes the patterns in the working directory, or with
// -modules every module below the directories the arguments name.
func (c *config) runAll(opts rewrite.Options, args []string, progress func(string)) ([]*moduleRun, error) {
	dir, err := filepath.Abs(c.dir)
	if err != nil {
		return nil, err
	}
	if !c.modules {
		opts.Progress = progress
		r := runModule(module{dir: dir}, opts, func(s string) { progress(s) }, args)
		if r.res.Packages == 0 && r.err != nil && len(r.res.Errors) == 0 {
			return nil, r.err
		}
		return []*moduleRun{r}, nil
	}
	if len(args) == 0 {
		args = []string{"."}
	}
	roots := make([]string, len(args))
	for i, a := range args {
		roots[i] = a
		if !filepath.IsAbs(a) {
			roots[i] = filepath.Join(dir, a)
		}
	}
	mods, err := findModules(roots)
	if err != nil {
		return nil, err
	}
	if len(mods) == 0 {
		return nil, fmt.Errorf("-modules: no Go module below %s", strings.Join(args, " "))
	}
	return runModules(mods, opts, progress), nil
}
