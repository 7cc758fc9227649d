package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
	"time"

	"golang.org/x/tools/go/packages"

	"github.com/queuefix/queuefix/rewrite/internal/walk"
)

// A Unit is one type-checked package, as a go/analysis driver hands it
// over: the analyzers in package analyzer run the engine's rules on it.
type Unit struct {
	Fset  *token.FileSet
	Types *types.Package
	Info  *types.Info
	Files []*ast.File

	// Summary, if set, returns what AddRateLimitedUnit found about a
	// function of another package when it ran on that package, or nil.
	Summary func(*types.Func) *Summary
}

// A UnitScan is one package indexed and scanned for its workers once,
// for ForgetUnit and DoneUnit to share, as Run's two rules share theirs.
// Nothing writes it after ScanUnit returns, so both may read it at once.
type UnitScan struct {
	ix   *index
	scan *walk.Scan
}

// ScanUnit indexes the unit and scans it for workers.
func ScanUnit(u Unit) *UnitScan {
	ix := newIndex([]*packages.Package{u.pkg()}, time.Now())
	return &UnitScan{ix: ix, scan: ix.scan()}
}

// ForgetUnit runs the forget rule on one package alone, with the same
// worker walk and the same edit verification as Run. What it cannot see
// next to Run: AddRateLimited calls on the worker's queue made only in
// other packages, so such a worker is not judged.
func ForgetUnit(s *UnitScan) []Finding {
	forgets, _ := s.ix.forget(s.scan)
	findings, _ := s.ix.apply(forgets)
	SortFindings(findings)
	return findings
}

// DoneUnit runs the done rule on one package alone, with the same worker
// walk and the same edit verification as Run. A function of another
// package is seen as Run sees a dependency: handed the item with a work
// queue, or a method whose receiver holds one, it may call Done, and the
// worker is left for review.
func DoneUnit(s *UnitScan) []Finding {
	dones, _ := s.ix.done(s.scan)
	findings, _ := s.ix.apply(dones)
	SortFindings(findings)
	return findings
}

// pkg wraps the unit as a loaded package for the index.
func (u Unit) pkg() *packages.Package {
	p := &packages.Package{
		ID:        u.Types.Path(),
		PkgPath:   u.Types.Path(),
		Name:      u.Types.Name(),
		Fset:      u.Fset,
		Types:     u.Types,
		TypesInfo: u.Info,
		Syntax:    u.Files,
	}
	for _, f := range u.Files {
		p.GoFiles = append(p.GoFiles, u.Fset.File(f.FileStart).Name())
	}
	return p
}
