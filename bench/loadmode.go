package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
)

// checkLoadMode reports whether the baseline still loads with the mode
// queuefix uses: a floor measured with another mode would mean nothing.
func checkLoadMode(repo string) error {
	want, err := loadModeBits(filepath.Join(repo, "rewrite", "internal", "load", "load.go"))
	if err != nil {
		return err
	}
	got, err := loadModeBits(filepath.Join(repo, "bench", "baseline", "main.go"))
	if err != nil {
		return err
	}
	if !slices.Equal(got, want) {
		return fmt.Errorf("bench/baseline loads with %s but rewrite/internal/load/load.go with %s: update the baseline's loadMode",
			strings.Join(got, "|"), strings.Join(want, "|"))
	}
	return nil
}

// loadModeBits returns the sorted packages.Need* names the const loadMode
// in file is made of.
func loadModeBits(file string) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		return nil, err
	}
	obj := f.Scope.Lookup("loadMode")
	if obj == nil || obj.Kind != ast.Con {
		return nil, fmt.Errorf("%s: no const loadMode", file)
	}
	var bits []string
	ast.Inspect(obj.Decl.(*ast.ValueSpec), func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok && strings.HasPrefix(sel.Sel.Name, "Need") {
			bits = append(bits, sel.Sel.Name)
		}
		return true
	})
	slices.Sort(bits)
	return bits, nil
}
