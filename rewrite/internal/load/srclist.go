package load

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/tools/go/packages"
)

// A listed package is one entry of go list -deps -json: listed without
// -export for a source load (nothing is compiled), with it for the warm
// export load (listsave.go).
type listed struct {
	ImportPath      string
	Name            string
	Dir             string
	GoFiles         []string
	CgoFiles        []string
	IgnoredGoFiles  []string
	Imports         []string
	ImportMap       map[string]string
	DepOnly         bool
	Standard        bool
	Stale           bool     // asked only by auto's listing (staleFields)
	CompiledGoFiles []string // asked only by the export listing (exportFields)
	Export          string   // the same
	Module          *packages.Module
	Error           *struct{ Err string }
	DepsErrors      []*struct{ Err string }
}

const listFields = "ImportPath,Name,Dir,GoFiles,CgoFiles,IgnoredGoFiles,Imports,ImportMap,DepOnly,Standard,Module,Error,DepsErrors"

// staleFields are what auto's choice needs: go list hashes every file
// of the graph to tell whether a package is stale. EmbedFiles is not read,
// but without it go list leaves embed patterns unresolved (golang/go#58522)
// and calls a package that embeds a file stale, with all its importers:
// google.golang.org/protobuf's editiondefaults did that to most controllers.
const staleFields = "ImportPath,Name,Dir,GoFiles,CgoFiles,DepOnly,Stale,EmbedFiles"

// A listing is the package graph of a source load, in go list's order
// (dependencies before the packages that import them).
type listing struct {
	pkgs []*listed
	arch string // GOARCH, for the sizes of types
}

// listArgs are go/packages' own go list flags, without -export and
// -compiled: no package is built, and no cgo is run.
func listArgs(tests bool, fields string, flags, patterns []string) []string {
	args := []string{"list", "-e", "-json=" + fields, "-deps", "-test=" + strconv.FormatBool(tests),
		"-export=false", "-compiled=false", "-buildvcs=false", "-pgo=off"}
	args = append(args, flags...)
	return append(append(args, "--"), patterns...)
}

// goList lists the packages matching patterns and all their dependencies
// with CGO_ENABLED=0, the file selection a build without cgo makes: cgo
// files cannot be type-checked without running cgo.
func goList(dir string, env []string, tests bool, flags, patterns []string) (*listing, error) {
	env = append(append([]string(nil), env...), "CGO_ENABLED=0")
	archc := make(chan string, 1)
	go func() { archc <- goEnv(dir, env, "GOARCH") }()
	cmd := exec.Command("go", listArgs(tests, listFields, flags, patterns)...)
	cmd.Dir, cmd.Env = dir, env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	l, err := decodeListing(out)
	if err != nil {
		return nil, err
	}
	l.arch = <-archc
	return l, nil
}

// decodeListing decodes go list's JSON, one package after another.
func decodeListing(out []byte) (*listing, error) {
	l := &listing{}
	for dec := json.NewDecoder(bytes.NewReader(out)); dec.More(); {
		p := new(listed)
		if err := dec.Decode(p); err != nil {
			return nil, fmt.Errorf("go list: decoding its JSON: %v", err)
		}
		l.pkgs = append(l.pkgs, p)
	}
	return l, nil
}

// goEnv returns one go env variable, or "" if the go command fails.
func goEnv(dir string, env []string, name string) string {
	cmd := exec.Command("go", "env", name)
	cmd.Dir, cmd.Env = dir, env
	out, _ := cmd.Output()
	return strings.TrimSpace(string(out))
}

// unfit returns why the listing cannot be type-checked from source with
// the answers export data would give, or "" if it can: a package go list
// reports an error for, a package listed twice, or a target with cgo
// files, which the cgo-free listing left out.
func (l *listing) unfit(env []string) string {
	seen := make(map[string]bool)
	for _, p := range l.pkgs {
		switch {
		case p.Error != nil || len(p.DepsErrors) > 0:
			return fmt.Sprintf("go list reports errors for %s", p.ImportPath)
		case seen[p.ImportPath]:
			return fmt.Sprintf("go list reports %s twice", p.ImportPath)
		case !p.DepOnly && envValue(env, "CGO_ENABLED") != "0" && usesCgo(p):
			return fmt.Sprintf("%s has cgo files", p.ImportPath)
		}
		seen[p.ImportPath] = true
	}
	return ""
}

// usesCgo reports whether one of the package's files imports "C" or has
// a build constraint that names cgo: the cgo-free listing may have chosen
// other files than a build with cgo would.
func usesCgo(p *listed) bool {
	for _, name := range append(append([]string(nil), p.GoFiles...), p.IgnoredGoFiles...) {
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(p.Dir, name), nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			continue // a broken file: the type check reports it
		}
		for _, imp := range f.Imports {
			if imp.Path.Value == `"C"` {
				return true
			}
		}
		if buildsWithCgoOnly(f) {
			return true
		}
	}
	return false
}

// buildsWithCgoOnly reports whether a file's build constraint names cgo.
func buildsWithCgoOnly(f *ast.File) bool {
	for _, g := range f.Comments {
		for _, c := range g.List {
			if c.Pos() < f.Package && (strings.HasPrefix(c.Text, "//go:build") || strings.HasPrefix(c.Text, "// +build")) && strings.Contains(c.Text, "cgo") {
				return true
			}
		}
	}
	return false
}
