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
	why := "-load=source"
	if !asked {
		opts.progress("asking the build cache about the packages")
		fromSource, reason := req.chooseSource()
		if !fromSource {
			return nil, Info{Mode: Export, Why: reason}
		}
		why = reason
	}
	opts.progress("listing packages (no compiling)")
	l, err := goList(dir, env, opts.Tests, flags, req.patterns)
	if err != nil {
		return nil, Info{Mode: Export, Why: err.Error(), Fallback: asked}
	}
	if why := l.unfit(env); why != "" {
		return nil, Info{Mode: Export, Why: why, Fallback: asked}
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

// chooseSource asks go list, in the user's own environment, which of the
// packages and their dependencies are stale, that is missing from the
// build cache, and reports whether a source load costs less than the
// export load, and why. When go list fails, export data answers. One
// listing of the whole graph with Stale costs what the listing without
// it and a probe of a dozen packages cost together, less than half, and
// it counts every package instead of a sample.
func (req loadReq) chooseSource() (bool, string) {
	args := listArgs(req.opts.Tests, staleFields, req.flags, req.patterns)
	cmd := exec.Command("go", args...)
	cmd.Dir, cmd.Env = req.dir, req.env
	out, err := cmd.Output()
	if err != nil {
		return false, fmt.Sprintf("go list: %v", err)
	}
	l, err := decodeListing(out)
	if err != nil {
		return false, err.Error()
	}
	return l.probe().choose()
}

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

// A probe is what the build cache said about the graph.
type probe struct {
	depStale, deps int   // dependencies missing from the cache, of all
	tgtStale, tgts int   // the same for target packages
	staleBytes     int64 // the size of the stale targets' Go files
}

// probe counts the stale packages of a listing made with staleFields.
// Commands and test mains are left out: go list calls a command stale
// when its binary is not installed, compiled or not.
func (l *listing) probe() probe {
	var p probe
	for _, lp := range l.pkgs {
		switch {
		case lp.ImportPath == "unsafe":
		case lp.DepOnly:
			p.deps++
			if lp.Stale {
				p.depStale++
			}
		case lp.Name == "main" || strings.HasSuffix(lp.ImportPath, ".test"):
		default:
			p.tgts++
			if lp.Stale {
				p.tgtStale++
				p.staleBytes += lp.goBytes()
			}
		}
	}
	return p
}

// choose reports whether a source load costs less than the export load,
// and why. A cold graph decides at once (see coldShare). Otherwise the
// stale targets are what go list -export would compile; the source load
// wins when compiling them costs more than type-checking every dependency
// from source (see depBytes), which a large pull meets, and every module
// of a fleet sharing one client-go version but the first.
func (p probe) choose() (bool, string) {
	if p.deps > 0 && p.depStale*coldShare >= p.deps {
		return true, fmt.Sprintf("%d of %d dependencies are not in the build cache", p.depStale, p.deps)
	}
	warm := fmt.Sprintf("%d of %d dependencies are in the build cache", p.deps-p.depStale, p.deps)
	if p.tgts == 0 { // commands only: the probe does not count them
		return false, warm
	}
	if p.tgtStale == 0 {
		return false, fmt.Sprintf("%s, and so are %d of %d target packages", warm, p.tgts, p.tgts)
	}
	if p.staleBytes <= int64(p.deps)*depBytes {
		return false, fmt.Sprintf("%s; %d of %d target packages are not, but compiling their %d KB costs less than type-checking %d dependencies from source", warm, p.tgtStale, p.tgts, p.staleBytes>>10, p.deps)
	}
	return true, fmt.Sprintf("%s, but %d of %d target packages are not: compiling their %d KB costs more than type-checking %d dependencies from source", warm, p.tgtStale, p.tgts, p.staleBytes>>10, p.deps)
}

// goBytes returns the size of the package's Go files; files that cannot
// be read, like a test main's, count nothing.
func (lp *listed) goBytes() int64 {
	var n int64
	for _, name := range append(append([]string(nil), lp.GoFiles...), lp.CgoFiles...) {
		if fi, err := os.Stat(filepath.Join(lp.Dir, name)); err == nil {
			n += fi.Size()
		}
	}
	return n
}
