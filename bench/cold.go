package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// A realModule is a public controller module the cold bench fetches
// through the module proxy, pinned.
type realModule struct {
	path, version string
	patterns      []string
}

// realModules: cert-manager's controllers (65 packages with their tests,
// 1,701 in the graph, client-go v0.36) and external-dns's sources, which
// watch Kubernetes objects through informers (client-go v0.34). The
// controllers left out import github.com/Venafi/vcert, which the module
// proxy here refuses, as it refuses k8s.io/sample-controller; newer
// external-dns releases need Go 1.27.
var realModules = []realModule{
	{"github.com/cert-manager/cert-manager", "v1.21.2", []string{
		"./pkg/controller/certificates/...", "./pkg/controller/acmechallenges/...", "./pkg/controller/acmeorders/...",
		"./pkg/controller/certificate-shim/...", "./pkg/controller/cainjector/...",
		"./pkg/controller/certificaterequests/acme/...", "./pkg/controller/certificaterequests/ca/...",
		"./pkg/controller/certificaterequests/vault/...", "./pkg/controller/certificatesigningrequests/acme/...",
		"./pkg/controller/certificatesigningrequests/vault/...",
	}},
	{"sigs.k8s.io/external-dns", "v0.20.0", []string{"./source/..."}},
}

// A target is one module the cold bench measures.
type target struct {
	name     string
	dir      string
	patterns []string
	n        int // generated packages, 0 for a real module
}

// coldRow is what the cold bench measured on one target, as medians.
type coldRow struct {
	t                  target
	floorCold, vetCold sample
	autoCold, srcCold  sample
	floorWarm, qfWarm  sample
	autoMode           string // what -load=auto chose cold, from -v
	err                error
}

// runCold measures every target cold (a fresh GOCACHE per run, the
// module cache shared) and warm.
func runCold(cfg config, t tools, work string) int {
	var targets []target
	for _, n := range cfg.sizes {
		mod := filepath.Join(work, fmt.Sprintf("n%d", n))
		if _, err := generateTidy(mod, n, cfg.seed); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			return 2
		}
		targets = append(targets, target{name: fmt.Sprintf("N=%d", n), dir: mod, patterns: []string{"./..."}, n: n})
	}
	for _, m := range realModules {
		if strings.Contains(","+cfg.real+",", ","+filepath.Base(m.path)+",") {
			tg, err := fetchModule(m, work)
			if err != nil {
				fmt.Fprintln(os.Stderr, "bench:", err)
				return 2
			}
			targets = append(targets, tg)
		}
	}
	var rows []coldRow
	for _, tg := range targets {
		rows = append(rows, t.measureCold(tg, work, cfg))
	}
	return printCold(os.Stdout, rows)
}

// fetchModule downloads a module zip through the proxy, copies it to a
// writable directory and downloads its dependencies.
func fetchModule(m realModule, work string) (target, error) {
	progress("%s@%s: go mod download", m.path, m.version)
	out, err := exec.Command("go", "mod", "download", "-json", m.path+"@"+m.version).Output()
	if err != nil {
		return target{}, fmt.Errorf("go mod download %s@%s: %v", m.path, m.version, err)
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil || info.Dir == "" {
		return target{}, fmt.Errorf("go mod download %s@%s: %s", m.path, m.version, info.Error)
	}
	dir := filepath.Join(work, filepath.Base(m.path))
	if err := copyWritable(info.Dir, dir); err != nil {
		return target{}, err
	}
	progress("%s: go list -deps -test %s (downloads its dependencies)", m.path, strings.Join(m.patterns, " "))
	if err := goCmd(dir, append([]string{"list", "-deps", "-test"}, m.patterns...)...); err != nil {
		return target{}, err
	}
	return target{name: filepath.Base(m.path) + "@" + m.version, dir: dir, patterns: m.patterns}, nil
}

// copyWritable copies a read-only module cache tree to dst.
func copyWritable(src, dst string) error {
	if _, err := os.Stat(dst); err == nil {
		return nil // fetched by an earlier -keep run
	}
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		to := filepath.Join(dst, strings.TrimPrefix(path, src))
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(to, data, 0o644)
	})
}

// measureCold runs each program cfg.runs times cold, and warm, and checks
// that every queuefix run printed the diff of the warm export load. The
// first cold floor's cache is kept as the warm cache: a second full
// compile of the graph only to warm it would double the bench's time.
func (t tools) measureCold(tg target, work string, cfg config) coldRow {
	r := coldRow{t: tg}
	warmCache, err := os.MkdirTemp(work, "gocache-warm-")
	if err != nil {
		r.err = err
		return r
	}
	defer os.RemoveAll(warmCache)
	warm := []string{"GOCACHE=" + warmCache}
	progress("%s: cold floor 1/%d (its cache becomes the warm cache)", tg.name, cfg.runs)
	first, err := t.coldFloor(tg, warm)
	if err != nil {
		r.err = err
		return r
	}
	want, err := t.coldDiff(tg, warm, "-load=export")
	if err != nil {
		r.err = err
		return r
	}
	floorC := []sample{first}
	var vetC, autoC, srcC, floorW, qfW []sample
	for i := range cfg.runs {
		progress("%s: run %d/%d", tg.name, i+1, cfg.runs)
		steps := []coldStep{
			{&autoC, func(env []string) (sample, error) { return t.checkedFix(tg, env, want, &r.autoMode, "-load=auto") }},
			{&srcC, func(env []string) (sample, error) { return t.checkedFix(tg, env, want, nil, "-load=source") }},
		}
		if i > 0 {
			steps = append(steps, coldStep{&floorC, func(env []string) (sample, error) { return t.coldFloor(tg, env) }})
		}
		if cfg.vet {
			steps = append(steps, coldStep{&vetC, func(env []string) (sample, error) { return goVet(tg, env) }})
		}
		for _, st := range steps {
			s, err := withFreshCache(work, st.run)
			if err != nil {
				r.err = err
				return r
			}
			*st.into = append(*st.into, s)
		}
		f, err := t.coldFloor(tg, warm)
		if err != nil {
			r.err = err
			return r
		}
		q, err := t.checkedFix(tg, warm, want, nil, "-load=auto")
		if err != nil {
			r.err = err
			return r
		}
		floorW, qfW = append(floorW, f), append(qfW, q)
		progress("  cold: floor %s, auto %s (%s), source %s; warm: floor %s %s, queuefix %s %s",
			secs(floorC[len(floorC)-1].wall), secs(autoC[i].wall), r.autoMode, secs(srcC[i].wall),
			secs(f.wall), mib(f.rss), secs(q.wall), mib(q.rss))
	}
	r.floorCold, r.autoCold, r.srcCold = median(floorC), median(autoC), median(srcC)
	if cfg.vet {
		r.vetCold = median(vetC)
	}
	r.floorWarm, r.qfWarm = median(floorW), median(qfW)
	return r
}

type coldStep = struct {
	into *[]sample
	run  func(env []string) (sample, error)
}

// withFreshCache runs f with GOCACHE set to a new, empty directory, which
// it removes afterwards.
func withFreshCache(work string, f func(env []string) (sample, error)) (sample, error) {
	cache, err := os.MkdirTemp(work, "gocache-")
	if err != nil {
		return sample{}, err
	}
	defer os.RemoveAll(cache)
	return f([]string{"GOCACHE=" + cache})
}

func (t tools) coldFloor(tg target, env []string) (sample, error) {
	s, code, stderr, err := runChildEnv(tg.dir, env, io.Discard, t.baseline, tg.patterns...)
	if err == nil && code != 0 {
		err = fmt.Errorf("baseline exited %d in %s:\n%s", code, tg.dir, stderr)
	}
	return s, err
}

// goVet runs go vet on the target; its findings do not matter here, only
// its cost, but it must have got as far as vetting.
func goVet(tg target, env []string) (sample, error) {
	s, code, stderr, err := runChildEnv(tg.dir, env, io.Discard, "go", append([]string{"vet"}, tg.patterns...)...)
	if err == nil && code != 0 && code != 1 {
		err = fmt.Errorf("go vet exited %d in %s:\n%s", code, tg.dir, stderr)
	}
	return s, err
}

// coldDiff runs queuefix -v -diff and returns its diff; it must exit 0 or
// 1 (nothing to do, or changes pending).
func (t tools) coldDiff(tg target, env []string, args ...string) ([]byte, error) {
	_, out, _, err := t.fixRun(tg, env, args...)
	return out, err
}

func (t tools) fixRun(tg target, env []string, args ...string) (sample, []byte, string, error) {
	var out bytes.Buffer
	args = append(append([]string{"-v", "-diff"}, args...), tg.patterns...)
	s, code, stderr, err := runChildEnv(tg.dir, env, &out, t.queuefix, args...)
	if err == nil && code != 0 && code != 1 {
		err = fmt.Errorf("queuefix %s exited %d in %s:\n%s", strings.Join(args, " "), code, tg.dir, lastLines(stderr, 20))
	}
	return s, out.Bytes(), stderr, err
}

// checkedFix runs queuefix and checks that it printed want; if mode is
// set, it records the load -v says ran.
func (t tools) checkedFix(tg target, env []string, want []byte, mode *string, args ...string) (sample, error) {
	s, out, stderr, err := t.fixRun(tg, env, args...)
	if err != nil {
		return s, err
	}
	if !bytes.Equal(out, want) {
		return s, fmt.Errorf("queuefix %s in %s printed another diff than the warm export load", strings.Join(args, " "), tg.dir)
	}
	if mode != nil {
		*mode = loadLine(stderr)
	}
	return s, nil
}

// loadLine returns which load -v says ran: "source" or "export".
func loadLine(stderr string) string {
	for _, l := range strings.Split(stderr, "\n") {
		if rest, ok := strings.CutPrefix(l, "queuefix: loaded with "); ok {
			return strings.Fields(rest)[0]
		}
	}
	return "?"
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// runChildEnv is runChild with extra environment.
func runChildEnv(dir string, env []string, w io.Writer, name string, args ...string) (sample, int, string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout = w
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return sample{}, -1, stderr.String(), fmt.Errorf("run %s: %w", name, err)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return sample{wall: wall, cpu: cpu, rss: ru.Maxrss}, cmd.ProcessState.ExitCode(), stderr.String(), nil
}
