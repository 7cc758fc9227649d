package load

import (
	"fmt"
	"go/ast"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/packages"
)

// A Mode says where the types of the dependencies come from.
type Mode int

const (
	// Auto loads from source when the build cache lacks the
	// dependencies' export data, and from export data otherwise.
	Auto Mode = iota
	// Source type-checks the dependencies from source and never
	// compiles anything.
	Source
	// Export reads export data, which go list -export compiles first
	// for every dependency not in the build cache (as go vet does).
	Export
)

func (m Mode) String() string {
	return [...]string{"auto", "source", "export"}[m]
}

// ParseMode parses auto, source or export.
func ParseMode(s string) (Mode, error) {
	for m := Auto; m <= Export; m++ {
		if m.String() == s {
			return m, nil
		}
	}
	return 0, fmt.Errorf("-load %s: want auto, source or export", s)
}

// A Info says how a run loaded its packages and why.
type Info struct {
	Mode     Mode // Source or Export: what ran
	Why      string
	Fallback bool // a source load was asked for or begun, and export data answered instead
}

type parseFunc = func(fset *token.FileSet, name string, src []byte) (*ast.File, error)

// coldShare: a source load is chosen when at least 1/coldShare of the
// sampled dependencies are missing from the build cache. Compiling five
// client-go graphs cold took 615 s of CPU, loading them from source 35 s:
// compiling a quarter of a graph still costs about four times more.
const coldShare = 4

// source type-checks the packages and their dependencies from source.
// It returns nil packages, and why, when export data must answer instead:
// the build cache is warm (auto), go list reports a problem, or a package
// has errors, which only the export load reports the way users know.
// It calls commit once it has decided to type-check.
func (req loadReq) source(parse parseFunc, commit func()) ([]*packages.Package, Info) {
	opts, dir, env, flags := req.opts, req.dir, req.env, req.flags
	asked := opts.Mode == Source
	opts.progress("listing packages (no compiling)")
	l, err := goList(dir, env, opts.Tests, flags, req.patterns)
	if err != nil {
		return nil, Info{Mode: Export, Why: err.Error(), Fallback: asked}
	}
	if why := l.unfit(env); why != "" {
		return nil, Info{Mode: Export, Why: why, Fallback: asked}
	}
	why := "-load=source"
	if !asked {
		opts.progress("asking the build cache about %d packages", len(l.pkgs))
		p := probeCache(dir, env, flags, l)
		var fromSource bool
		if fromSource, why = p.choose(l); !fromSource {
			return nil, Info{Mode: Export, Why: why}
		}
	}
	commit()
	s := newSrcLoad(l, req.fset, parse)
	s.progress = func(done, total int) {
		opts.progress("type-checking from source: %d/%d packages", done, total)
	}
	if failed := s.check(); failed != nil {
		return nil, Info{Mode: Export, Why: fmt.Sprintf("%s: %v", failed.l.ImportPath, failed.err), Fallback: true}
	}
	return s.packages(), Info{Mode: Source, Why: why}
}

// samples is how many dependencies probeCache asks about: enough to tell
// a cold cache from a warm one.
const samples = 12

// targetSamples is how many target packages probeCache asks about: enough
// to tell a module whose packages were all compiled from one that was
// just cloned or pulled. They cost little more: the dependencies below
// them are hashed for the dependency sample anyway.
const targetSamples = 6

// depBytes is how many bytes of target source go list -export compiles
// for the CPU time a source load spends type-checking one dependency.
// Measured on this project's 2-core machine (shared, load average about
// 50) with client-go v0.37.2 and the bench's generated module of 200
// packages (3,634,194 bytes, 326 dependencies): go list -export compiling
// the 200 targets, stale after a copy to a new directory, took 113.4 s of
// CPU (1.5 s of it listing, as a warm run does), 31 µs a byte; a source
// load of the 326 dependencies (queuefix -load=source on one package of
// the module) 3.05 s, 9.4 ms each; 9.4 ms / 31 µs = 304 bytes.
const depBytes = 300

// A probe is what the build cache said about a sample of the graph.
type probe struct {
	depStale, deps int // sampled dependencies missing from the cache, of those sampled
	tgtStale, tgts int // the same for target packages
}

// choose reports whether a source load costs less than the export load,
// and why. A cold sample of the dependencies decides at once (see
// coldShare). Otherwise the stale share of the sampled targets estimates
// how much target source go list -export would compile; the source load
// wins when compiling that costs more than type-checking every
// dependency from source (see depBytes), which a large pull meets, and
// every module of a fleet sharing one client-go version but the first.
func (p probe) choose(l *listing) (bool, string) {
	if p.deps > 0 && p.depStale*coldShare >= p.deps {
		return true, fmt.Sprintf("%d of %d sampled dependencies are not in the build cache", p.depStale, p.deps)
	}
	warm := fmt.Sprintf("%d of %d sampled dependencies are in the build cache", p.deps-p.depStale, p.deps)
	if p.tgts == 0 {
		return false, warm
	}
	if p.tgtStale == 0 {
		return false, fmt.Sprintf("%s, and so are %d of %d sampled target packages", warm, p.tgts, p.tgts)
	}
	deps, size := l.deps(), l.targetBytes()
	stale := size * int64(p.tgtStale) / int64(p.tgts)
	if stale <= int64(deps)*depBytes {
		return false, fmt.Sprintf("%s; %d of %d sampled target packages are not, but compiling about %d KB of them costs less than type-checking %d dependencies from source", warm, p.tgtStale, p.tgts, stale>>10, deps)
	}
	return true, fmt.Sprintf("%s, but %d of %d sampled target packages are not: compiling about %d KB of them costs more than type-checking %d dependencies from source", warm, p.tgtStale, p.tgts, stale>>10, deps)
}

// deps returns how many dependencies the listing holds.
func (l *listing) deps() int {
	n := 0
	for _, p := range l.pkgs {
		if p.DepOnly {
			n++
		}
	}
	return n
}

// targetBytes returns the size of the target packages' Go files, test
// variants included (go list -export compiles them too); files that
// cannot be read, like a test main's, count nothing.
func (l *listing) targetBytes() int64 {
	var n int64
	for _, p := range l.pkgs {
		if p.DepOnly {
			continue
		}
		for _, name := range append(append([]string(nil), p.GoFiles...), p.CgoFiles...) {
			if fi, err := os.Stat(filepath.Join(p.Dir, name)); err == nil {
				n += fi.Size()
			}
		}
	}
	return n
}

// probeCache asks go list, in the user's own environment, whether a few
// low-level dependencies and a few target packages are stale, that is
// missing from the build cache. When go list fails it reports none
// stale, so export data answers.
func probeCache(dir string, env, flags []string, l *listing) probe {
	deps, targets := sampleDeps(l, samples), sampleTargets(l, targetSamples)
	if len(deps)+len(targets) == 0 {
		return probe{}
	}
	isDep := make(map[string]bool, len(deps))
	for _, id := range deps {
		isDep[id] = true
	}
	args := append([]string{"list", "-e", "-buildvcs=false", "-f", "{{.ImportPath}} {{.Stale}}"}, flags...)
	cmd := exec.Command("go", append(append(append(args, "--"), deps...), targets...)...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.Output()
	if err != nil {
		return probe{deps: len(deps)}
	}
	p := probe{deps: len(deps), tgts: len(targets)}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		id, stale, _ := strings.Cut(line, " ")
		switch {
		case stale != "true":
		case isDep[id]:
			p.depStale++
		default:
			p.tgtStale++
		}
	}
	return p
}

// sampleTargets returns up to n target packages spread over all of them,
// leaving out test variants and commands (go list calls a command stale
// when its binary is not installed, compiled or not).
func sampleTargets(l *listing, n int) []string {
	var ids []string
	for _, p := range l.pkgs {
		if !p.DepOnly && p.Name != "main" && !strings.ContainsAny(p.ImportPath, " ") && !strings.HasSuffix(p.ImportPath, ".test") {
			ids = append(ids, p.ImportPath)
		}
	}
	if len(ids) <= n {
		return ids
	}
	out := make([]string, n)
	for i := range out {
		out[i] = ids[i*len(ids)/n]
	}
	return out
}

// sampleDeps returns up to n import paths of dependencies, half from the
// standard library and half from modules, so that a cache warm for the
// standard library only (a fleet of modules pinning different versions)
// still reads as cold. They come from the first third of go list's order,
// low in the graph: go list hashes every file below a package to tell
// whether it is stale, and that took 2.1 s for 12 packages spread over
// the whole of a client-go graph, 0.4 s for 12 from its first third.
func sampleDeps(l *listing, n int) []string {
	var std, mods []string
	for _, p := range l.pkgs {
		id := p.ImportPath
		switch {
		case !p.DepOnly || id == "unsafe" || strings.ContainsAny(id, " ") || strings.HasSuffix(id, ".test") ||
			strings.HasPrefix(id, "vendor/") || strings.Contains(id, "/vendor/"):
		case p.Standard:
			std = append(std, id)
		default:
			mods = append(mods, id)
		}
	}
	if len(mods) == 0 {
		return spread(std, n)
	}
	return append(spread(std, n/2), spread(mods, n-n/2)...)
}

// spread returns up to n elements evenly spread over the first third of list.
func spread(list []string, n int) []string {
	low := list[:(len(list)+2)/3]
	if len(low) <= n {
		return low
	}
	out := make([]string, n)
	for i := range out {
		out[i] = low[i*len(low)/n]
	}
	return out
}
