// Command baseline is the floor queuefix is measured against: the
// go/packages load that queuefix starts with (rewrite/internal/load/load.go), and
// nothing else.
//
// Usage:
//
//	baseline [packages]
//
// It prints the number of packages loaded and exits 1 if any has errors.
package main

import (
	"fmt"
	"go/token"
	"os"
	"path/filepath"

	"golang.org/x/tools/go/packages"
)

// loadMode is rewrite.loadMode; the bench checks that they agree.
const loadMode = packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
	packages.NeedImports | packages.NeedTypes | packages.NeedTypesInfo |
	packages.NeedSyntax | packages.NeedTypesSizes | packages.NeedModule

func main() {
	patterns := os.Args[1:]
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(2)
	}
	// As queuefix without flags: the working directory, its environment,
	// tests included, no build flags (no -tags, no vendor directory).
	cfg := &packages.Config{
		Mode:  loadMode,
		Dir:   dir,
		Env:   os.Environ(),
		Tests: true,
		Fset:  token.NewFileSet(),
	}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(2)
	}
	fmt.Printf("%d packages\n", len(pkgs))
	if broken := countBroken(pkgs); broken > 0 {
		fmt.Fprintf(os.Stderr, "baseline: %d packages have errors\n", broken)
		os.Exit(1)
	}
}

// countBroken counts packages with errors of their own, as queuefix's
// splitBroken does, and prints the first error of each.
func countBroken(pkgs []*packages.Package) int {
	n := 0
	for _, p := range pkgs {
		if len(p.Errors) == 0 && !p.IllTyped && p.Types != nil {
			continue
		}
		n++
		if len(p.Errors) > 0 {
			fmt.Fprintf(os.Stderr, "%s: %v\n", p.ID, p.Errors[0])
		}
	}
	return n
}
