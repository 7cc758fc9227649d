package load

import (
	"fmt"
	"go/ast"
	"go/token"
	"os/exec"
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
		stale, sampled := probeCache(dir, env, flags, l)
		if stale*coldShare < sampled {
			return nil, Info{Mode: Export, Why: fmt.Sprintf("%d of %d sampled dependencies are in the build cache", sampled-stale, sampled)}
		}
		why = fmt.Sprintf("%d of %d sampled dependencies are not in the build cache", stale, sampled)
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

// probeCache asks go list, in the user's own environment, whether a few
// low-level dependencies are stale, that is missing from the build cache.
// It returns how many are, of how many it asked about; when go list fails
// it reports none stale, so export data answers.
func probeCache(dir string, env, flags []string, l *listing) (stale, sampled int) {
	sample := sampleDeps(l, samples)
	if len(sample) == 0 {
		return 0, 0
	}
	args := append([]string{"list", "-e", "-buildvcs=false", "-f", "{{.Stale}}"}, flags...)
	cmd := exec.Command("go", append(append(args, "--"), sample...)...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.Output()
	if err != nil {
		return 0, len(sample)
	}
	for _, line := range strings.Fields(string(out)) {
		if line == "true" {
			stale++
		}
	}
	return stale, len(sample)
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
