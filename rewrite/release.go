package rewrite

import (
	"go/ast"
	"go/token"
	"slices"

	"golang.org/x/tools/go/packages"
)

// Once the rules that read every body are done (forget, done, typed and
// the search for AddRateLimited sites), the graph is what is left to
// build, and it reads only the bodies relevance keeps: SSA is built from
// those alone, and the addratelimited rule reads the syntax of its sites,
// which lie in kept bodies (each site's declaration seeds the relevance).
// The edits are checked with types.CheckExpr in the scopes of the types'
// own scope tree, which keeps every scope. On a module of 1,000 packages
// the other bodies hold three quarters of the types and uses the load
// recorded, which every collection while SSA and the call graph are built
// would mark again. So Run releases them first.

// release drops the bodies of the packages' declarations that keep does
// not hold, and every entry of the packages' types.Info that lies in one.
// The typed rule's whole-package checks need every body: it must not run
// after. Nothing may read the packages' syntax or types meanwhile.
func release(pkgs []*packages.Package, keep map[*ast.FuncDecl]bool) {
	spans := make([][]span, len(pkgs))
	var bodies []*ast.FuncDecl
	for i, pkg := range pkgs {
		spans[i], bodies = droppedBodies(pkg, keep, bodies)
	}
	parallel(len(pkgs), func(i int) {
		if len(spans[i]) > 0 {
			releaseInfo(pkgs[i], spans[i])
		}
	})
	for _, fd := range bodies {
		fd.Body = nil
	}
}

// A span is the source range [pos, end) of one dropped body.
type span struct{ pos, end token.Pos }

// droppedBodies returns the sorted spans of pkg's bodies that keep does
// not hold, and appends their declarations to bodies.
func droppedBodies(pkg *packages.Package, keep map[*ast.FuncDecl]bool, bodies []*ast.FuncDecl) ([]span, []*ast.FuncDecl) {
	var out []span
	for _, f := range pkg.Syntax {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil || keep[fd] {
				continue
			}
			out = append(out, span{fd.Body.Pos(), fd.Body.End()})
			bodies = append(bodies, fd)
		}
	}
	slices.SortFunc(out, func(a, b span) int { return int(a.pos - b.pos) })
	return out, bodies
}

// inSpans reports whether pos lies in one of the sorted spans.
func inSpans(spans []span, pos token.Pos) bool {
	i, _ := slices.BinarySearchFunc(spans, pos, func(s span, p token.Pos) int {
		if s.end <= p {
			return -1
		}
		return 1
	})
	return i < len(spans) && spans[i].pos <= pos
}

// releaseInfo replaces each of pkg's types.Info maps keyed by syntax with
// one without the keys in spans. Deleting them would not do: a Go map
// never shrinks.
func releaseInfo(pkg *packages.Package, spans []span) {
	info := pkg.TypesInfo
	in := func(pos token.Pos) bool { return inSpans(spans, pos) }
	info.Types = without(info.Types, in)
	info.Defs = without(info.Defs, in)
	info.Uses = without(info.Uses, in)
	info.Implicits = without(info.Implicits, in)
	info.Selections = without(info.Selections, in)
	info.Scopes = without(info.Scopes, in)
	info.Instances = without(info.Instances, in)
}

// without returns a copy of m without the keys whose position in reports.
func without[K interface {
	comparable
	Pos() token.Pos
}, V any](m map[K]V, in func(token.Pos) bool) map[K]V {
	if m == nil {
		return nil
	}
	n := 0
	for k := range m {
		if !in(k.Pos()) {
			n++
		}
	}
	out := make(map[K]V, n)
	for k, v := range m {
		if !in(k.Pos()) {
			out[k] = v
		}
	}
	return out
}
