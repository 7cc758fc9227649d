// Command bench measures queuefix against the floor that a plain
// go/packages load sets, on generated modules of N controller packages,
// and checks that queuefix fixes exactly the bugs planted in them.
//
// Usage:
//
//	go run ./bench [-n 200,1000] [-runs 3] [-keep dir] [-seed 1] [-against dir] [-cold [-real cert-manager,external-dns] [-vet=false]]
//
// See bench/README.md.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

type config struct {
	sizes []int
	runs  int
	keep  string
	seed  uint64
	cold  bool
	gen   bool
	real  string
	vet   bool
	// against is another checkout of queuefix (main's, say) whose
	// queuefix is measured in the same alternation.
	against string
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	os.Exit(run(cfg))
}

func parseFlags(args []string) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	sizes := fs.String("n", "200,1000", "comma-separated numbers of packages to generate")
	fs.IntVar(&cfg.runs, "runs", 3, "timed runs of each program per size")
	fs.StringVar(&cfg.keep, "keep", "", "generate into `dir` and keep it (default: a temporary directory, removed)")
	fs.Uint64Var(&cfg.seed, "seed", 1, "seed of the generated code")
	fs.BoolVar(&cfg.gen, "generate", false, "only generate the modules into -keep's directory (and go mod tidy them)")
	fs.BoolVar(&cfg.cold, "cold", false, "measure cold loads (a fresh GOCACHE per run) against the cold floor and go vet, and warm ones")
	fs.StringVar(&cfg.real, "real", "cert-manager,external-dns", "with -cold, the pinned public controller `modules` to measure too (comma-separated; none for none)")
	fs.BoolVar(&cfg.vet, "vet", true, "with -cold, measure go vet cold too")
	fs.StringVar(&cfg.against, "against", "", "also measure the queuefix of the checkout in `dir` (main's, say), in the same alternation")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if cfg.runs < 1 {
		return cfg, errors.New("-runs must be at least 1")
	}
	for _, s := range strings.Split(*sizes, ",") {
		if s == "" && cfg.cold {
			continue // -cold -n '' measures only the real modules
		}
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return cfg, fmt.Errorf("-n: %q is not a positive number", s)
		}
		cfg.sizes = append(cfg.sizes, n)
	}
	return cfg, nil
}

func run(cfg config) int {
	repo, err := repoRoot()
	if err == nil {
		err = checkLoadMode(repo)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	work, cleanup, err := workDir(cfg.keep)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	defer cleanup()
	progress("building queuefix and the baseline into %s", work)
	t, err := buildTools(repo, work)
	if err == nil && cfg.against != "" {
		t.against = filepath.Join(work, "queuefix-against")
		progress("building the queuefix of %s", cfg.against)
		err = goCmd(cfg.against, "build", "-o", t.against, "./cmd/queuefix")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	if cfg.cold {
		return runCold(cfg, t, work)
	}
	if cfg.gen {
		for _, n := range cfg.sizes {
			if _, err := generateTidy(filepath.Join(work, fmt.Sprintf("n%d", n)), n, cfg.seed); err != nil {
				fmt.Fprintln(os.Stderr, "bench:", err)
				return 2
			}
		}
		return 0
	}
	var rows []row
	failed := false
	for _, n := range cfg.sizes {
		r := benchSize(t, work, n, cfg)
		failed = failed || !r.ok
		rows = append(rows, r)
	}
	printTable(os.Stdout, rows)
	if failed {
		return 1
	}
	return 0
}

// benchSize generates, measures and checks the module of n packages.
func benchSize(t tools, work string, n int, cfg config) row {
	r := row{n: n}
	mod := filepath.Join(work, fmt.Sprintf("n%d", n))
	var err error
	if r.lines, err = prepare(mod, n, cfg.seed); err != nil {
		r.verdict = "FAILED: " + err.Error()
		return r
	}
	progress("N=%d: measuring (1 untimed run of the floor, 2 of queuefix, then %d timed runs of each)", n, cfg.runs)
	diffPath := mod + ".diff"
	if r.m, err = t.measure(mod, diffPath, cfg.runs); err != nil {
		r.verdict = "FAILED: " + err.Error()
		return r
	}
	r.measured = true
	progress("N=%d: checking the diff", n)
	r.verdict, r.ok = verify(mod, diffPath, n, r.m)
	return r
}

// prepare generates the module, resolves its dependencies and builds it
// once, which also warms the build cache for the loads to come.
func prepare(mod string, n int, seed uint64) (int, error) {
	lines, err := generateTidy(mod, n, seed)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	progress("N=%d: go build ./...", n)
	if err := goCmd(mod, "build", "./..."); err != nil {
		return 0, err
	}
	progress("N=%d: built in %s", n, secs(time.Since(start)))
	return lines, nil
}

// generateTidy generates the module and resolves its dependencies.
func generateTidy(mod string, n int, seed uint64) (int, error) {
	progress("N=%d: generating %s", n, mod)
	lines, err := generate(mod, n, seed)
	if err != nil {
		return 0, err
	}
	progress("N=%d: %d lines; go mod tidy", n, lines)
	return lines, goCmd(mod, "mod", "tidy")
}

// verify returns the correctness line for a size and whether all checks passed.
func verify(mod, diffPath string, n int, m measurement) (string, bool) {
	d := countDiff(m.diff)
	if err := checkDiff(d, n, m.stderr); err != nil {
		return "FAILED: " + err.Error(), false
	}
	done := fmt.Sprintf("%d rewrites, %d Forget insertions, nothing else", d.rewrites, d.forgets)
	if err := checkApplied(mod, mod+"-patched", diffPath, n); err != nil {
		return fmt.Sprintf("%s; FAILED after git apply: %v", done, err), false
	}
	return done + "; builds", true
}

// repoRoot returns the directory of the queuefix module.
func repoRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	dir := filepath.Dir(strings.TrimSpace(string(out)))
	if _, err := os.Stat(filepath.Join(dir, "cmd", "queuefix")); err != nil {
		return "", fmt.Errorf("run the bench from the queuefix module: %w", err)
	}
	return dir, nil
}

// workDir returns the directory to generate into and how to clean it up.
func workDir(keep string) (string, func(), error) {
	if keep != "" {
		dir, err := filepath.Abs(keep)
		if err == nil {
			err = os.MkdirAll(dir, 0o755)
		}
		return dir, func() {}, err
	}
	dir, err := os.MkdirTemp("", "queuefix-bench-")
	return dir, func() { os.RemoveAll(dir) }, err
}
