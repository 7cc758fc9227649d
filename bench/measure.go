package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// A sample is what one run of a child process cost.
type sample struct {
	wall time.Duration
	cpu  time.Duration // user+system, the child's and its descendants' (go list)
	rss  int64         // peak resident set, KiB (ru_maxrss: the child or its largest descendant)
}

// tools are the programs measured, built from this repository, and
// optionally the queuefix of another checkout (against).
type tools struct {
	queuefix string
	baseline string
	against  string
}

// buildTools builds cmd/queuefix and bench/baseline from repo into dir.
func buildTools(repo, dir string) (tools, error) {
	t := tools{queuefix: filepath.Join(dir, "queuefix"), baseline: filepath.Join(dir, "baseline")}
	for pkg, out := range map[string]string{"./cmd/queuefix": t.queuefix, "./bench/baseline": t.baseline} {
		if err := goCmd(repo, "build", "-o", out, pkg); err != nil {
			return t, err
		}
	}
	return t, nil
}

// goCmd runs the go command in dir and returns its output in the error.
func goCmd(dir string, args ...string) error {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	return nil
}

// runChild runs name in dir with stdout going to w and returns the cost,
// the exit code and what it printed on stderr.
func runChild(dir string, w io.Writer, name string, args ...string) (sample, int, string, error) {
	return runChildEnv(dir, nil, w, name, args...)
}

// floor runs the baseline load on ./... in mod.
func (t tools) floor(mod string) (sample, error) {
	s, _, err := t.floorEnv(mod, nil)
	return s, err
}

// floorEnv is floor with extra environment; it returns the stderr too.
func (t tools) floorEnv(mod string, env []string) (sample, string, error) {
	s, code, stderr, err := runChildEnv(mod, env, io.Discard, t.baseline, "./...")
	if err == nil && code != 0 {
		err = fmt.Errorf("baseline exited %d in %s:\n%s", code, mod, stderr)
	}
	return s, stderr, err
}

// fix runs queuefix -diff ./... in mod with the diff going to out.
// queuefix exits 1 when changes are pending, which is what the module has.
func (t tools) fix(mod, out string) (sample, string, error) {
	return fixWith(t.queuefix, mod, out)
}

// fixWith runs the queuefix binary bin as fix does.
func fixWith(bin, mod, out string) (sample, string, error) {
	return fixEnv(bin, mod, out, nil)
}

// fixEnv is fixWith with extra environment.
func fixEnv(bin, mod, out string, env []string) (sample, string, error) {
	f, err := os.Create(out)
	if err != nil {
		return sample{}, "", err
	}
	defer f.Close()
	s, code, stderr, err := runChildEnv(mod, env, f, bin, "-diff", "./...")
	if err == nil && code != 1 {
		err = fmt.Errorf("queuefix -diff exited %d in %s, want 1 (changes pending):\n%s", code, mod, stderr)
	}
	return s, stderr, err
}

// bare runs queuefix -rule ignore -diff ./... in mod: the load, the
// index and the output without the three default rules, which bounds
// what the rules cost. It must find nothing to change.
func (t tools) bare(mod string) (sample, error) {
	s, code, stderr, err := runChild(mod, io.Discard, t.queuefix, "-rule", "ignore", "-diff", "./...")
	if err == nil && code != 0 {
		err = fmt.Errorf("queuefix -rule ignore exited %d in %s, want 0:\n%s", code, mod, stderr)
	}
	return s, err
}

// A measurement is the medians of the programs on one module, and what
// queuefix printed.
type measurement struct {
	floor, fix sample
	bare       sample // queuefix without its rules
	against    sample // zero unless tools.against is set
	// What the collector cost one more run of the floor and of queuefix.
	floorGC, fixGC gcCost
	diff           []byte
	stderr         string // queuefix's, from the untimed run
}

// measure runs each program once untimed to warm the caches (queuefix
// twice: its first warm run saves the listing the next ones read), then
// runs times each, alternating, and checks that every queuefix run (and
// every run of the other checkout's) printed the same diff.
func (t tools) measure(mod, diffPath string, runs int) (measurement, error) {
	var m measurement
	if _, err := t.floor(mod); err != nil {
		return m, err
	}
	_, stderr, err := t.fix(mod, diffPath)
	if err != nil {
		return m, err
	}
	if m.diff, err = os.ReadFile(diffPath); err != nil {
		return m, err
	}
	if _, _, err := t.fix(mod, diffPath+".run"); err != nil {
		return m, err
	}
	if err := sameFile(diffPath+".run", m.diff); err != nil {
		return m, err
	}
	m.stderr = stderr
	if t.against != "" {
		if _, err := t.againstRun(mod, diffPath, m.diff); err != nil {
			return m, err
		}
	}
	if _, err := t.bare(mod); err != nil {
		return m, err
	}
	var floors, fixes, bares, againsts []sample
	for r := range runs {
		progress("  run %d/%d", r+1, runs)
		f, err := t.floor(mod)
		if err != nil {
			return m, err
		}
		q, _, err := t.fix(mod, diffPath+".run")
		if err == nil {
			err = sameFile(diffPath+".run", m.diff)
		}
		if err != nil {
			return m, err
		}
		b, err := t.bare(mod)
		if err != nil {
			return m, err
		}
		floors, fixes, bares = append(floors, f), append(fixes, q), append(bares, b)
		progress("    floor %s (cpu %s) %s, queuefix %s (cpu %s) %s, without rules cpu %s",
			secs(f.wall), secs(f.cpu), mib(f.rss), secs(q.wall), secs(q.cpu), mib(q.rss), secs(b.cpu))
		if t.against == "" {
			continue
		}
		a, err := t.againstRun(mod, diffPath, m.diff)
		if err != nil {
			return m, err
		}
		againsts = append(againsts, a)
		progress("    against %s (cpu %s) %s", secs(a.wall), secs(a.cpu), mib(a.rss))
	}
	m.floor, m.fix, m.bare = median(floors), median(fixes), median(bares)
	if len(againsts) > 0 {
		m.against = median(againsts)
	}
	progress("  one more run of each with GODEBUG=gctrace=1")
	m.floorGC, m.fixGC, err = t.traceGC(mod, diffPath)
	return m, err
}

// againstRun runs the other checkout's queuefix and checks that it
// printed the same diff: a faster program that answers differently
// proves nothing.
func (t tools) againstRun(mod, diffPath string, want []byte) (sample, error) {
	a, _, err := fixWith(t.against, mod, diffPath+".against")
	if err == nil {
		err = sameFile(diffPath+".against", want)
	}
	if err != nil {
		return a, fmt.Errorf("the queuefix of -against: %w", err)
	}
	return a, nil
}

func sameFile(path string, want []byte) error {
	got, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("queuefix printed a different diff on a later run (%s)", path)
	}
	return nil
}

// median returns the median of each measure, each taken on its own.
func median(ss []sample) sample {
	walls := make([]int64, len(ss))
	cpus := make([]int64, len(ss))
	rss := make([]int64, len(ss))
	for i, s := range ss {
		walls[i], cpus[i], rss[i] = int64(s.wall), int64(s.cpu), s.rss
	}
	return sample{wall: time.Duration(mid(walls)), cpu: time.Duration(mid(cpus)), rss: mid(rss)}
}

func mid(xs []int64) int64 {
	slices.Sort(xs)
	m := len(xs) / 2
	if len(xs)%2 == 1 {
		return xs[m]
	}
	return (xs[m-1] + xs[m]) / 2
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1fs", d.Seconds()) }

func mib(kib int64) string { return fmt.Sprintf("%d MiB", kib/1024) }
