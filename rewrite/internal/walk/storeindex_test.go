package walk

import (
	"go/ast"
	"go/types"
	"reflect"
	"testing"

	"github.com/queuefix/queuefix/rewrite/internal/match"
)

// fullStoreIndex is the store index as one pass over every file builds
// it: what the on-demand index must answer, question by question.
type fullStoreIndex struct {
	uses   map[*types.Var][]placeUse
	dest   map[ast.Node]ast.Expr
	locals map[*types.Var]bool
}

func buildFullStoreIndex(s *Scan) *fullStoreIndex {
	x := &fullStoreIndex{uses: make(map[*types.Var][]placeUse), dest: make(map[ast.Node]ast.Expr), locals: make(map[*types.Var]bool)}
	for _, name := range s.sortedFiles() {
		fi := s.files[name]
		info := fi.Pkg.TypesInfo
		ast.PreorderStack(fi.Syntax, nil, func(n ast.Node, stack []ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				x.addDests(info, n)
			case *ast.Ident:
				x.addLocal(info, n, stack)
				if pv, ok := info.Uses[n].(*types.Var); ok && x.locals[pv] {
					x.uses[pv] = append(x.uses[pv], placeUse{e: n, up: ancestors(stack), body: funcBody(stack), fi: fi})
					break
				}
				x.addPlace(info, n, stack, fi)
			case *ast.SelectorExpr:
				x.addPlace(info, n, stack, fi)
			}
			return true
		})
	}
	return x
}

func (x *fullStoreIndex) addPlace(info *types.Info, e ast.Expr, stack []ast.Node, fi *File) {
	if pv := placeVar(info, e); pv != nil && !pv.Exported() && !isSelected(e, stack) {
		x.uses[pv] = append(x.uses[pv], placeUse{e: e, up: ancestors(stack), body: funcBody(stack), fi: fi})
	}
}

func (x *fullStoreIndex) addLocal(info *types.Info, id *ast.Ident, stack []ast.Node) {
	v, ok := info.Defs[id].(*types.Var)
	if !ok || v.IsField() || funcBody(stack) == nil || inSignature(stack) {
		return
	}
	switch v.Type().Underlying().(type) {
	case *types.Map, *types.Slice:
		x.locals[v] = true
	}
}

func (x *fullStoreIndex) addDests(info *types.Info, as *ast.AssignStmt) {
	if len(as.Lhs) != len(as.Rhs) {
		return
	}
	for i, r := range as.Rhs {
		switch r := ast.Unparen(r).(type) {
		case *ast.CompositeLit:
			x.dest[r] = as.Lhs[i]
		case *ast.CallExpr:
			if b, ok := info.Uses[match.CalleeIdent(r)].(*types.Builtin); ok && b.Name() == "append" {
				x.dest[r] = as.Lhs[i]
			}
		}
	}
}

// storeIndexSource has the shapes the index must tell apart: fields of a
// generic type, a receiver of map type, package-level variables, local
// maps and slices in function literals (also in a package-level
// initializer), parameters and named results, parenthesized and nested
// right-hand sides, a map on the left of an assignment.
const storeIndexSource = `package ctrl

type set map[string]bool

func (s set) add(k string) { s[k] = true }

type box[T any] struct{ items []T; n int }

func (b *box[T]) put(v T) { b.items = append(b.items, v); b.n++ }

type C struct {
	pending map[string]bool
	keys    []string
	inner   struct{ seen map[string]int }
	Public  map[string]bool
	b       box[string]
}

var registry = map[string]bool{}
var Exported []string

var initFn = func() map[string]int {
	m := map[string]int{}
	m["a"] = 1
	return m
}

func (c *C) work(key string) (out []string) {
	local := map[string]bool{}
	local[key] = true
	list := []string{}
	list = (append(list, key))
	c.keys = append(c.keys, key)
	c.pending[key] = true
	c.inner.seen[key]++
	registry[key] = true
	Exported = append(Exported, key)
	c.b.put(key)
	c.b.items = append(c.b.items, key)
	lit := []string{key}
	var s set = set{}
	s.add(key)
	a, b := []string{key}, (map[string]int{key: 1})
	_, _ = a, b
	f := func(m map[string]bool) {
		inner := []int{}
		inner = append(inner, len(m))
		_ = inner
	}
	f(local)
	for k, v := range c.pending {
		_, _ = k, v
	}
	out = append(out, lit...)
	c.Public[key] = true
	return out
}
`

// TestStoreIndexOnDemand holds the on-demand index to the answers of one
// pass over every file, for every variable and every node that could be
// asked about, on the store cases and the shapes above.
func TestStoreIndexOnDemand(t *testing.T) {
	srcs := []string{storeIndexSource}
	for _, tc := range storeCases {
		srcs = append(srcs, storeHead+tc.store+"}\n"+tc.more)
	}
	asked, dests := 0, 0
	for _, src := range srcs {
		s := memScan(t, src)
		want := buildFullStoreIndex(s)
		stores := newStoreIndex(s)
		info := infoOf(s)
		vars := make(map[*types.Var]bool)
		for _, m := range []map[*ast.Ident]types.Object{info.Defs, info.Uses} {
			for _, obj := range m {
				if v, ok := obj.(*types.Var); ok {
					vars[v], vars[v.Origin()] = true, true
				}
			}
		}
		for v := range vars {
			if got := stores.isLocal(v); got != want.locals[v] {
				t.Errorf("isLocal(%v) = %v, want %v\nsource:\n%s", v, got, want.locals[v], src)
			}
			if got := stores.usesOf(v); !reflect.DeepEqual(got, want.uses[v]) && len(got)+len(want.uses[v]) > 0 {
				t.Errorf("usesOf(%v): %d uses %v, want %d %v\nsource:\n%s", v, len(got), exprsOf(got), len(want.uses[v]), exprsOf(want.uses[v]), src)
			}
			asked += len(want.uses[v])
		}
		for _, fi := range s.files {
			ast.Inspect(fi.Syntax, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr, *ast.CompositeLit:
					if got := stores.destOf(n.(ast.Expr)); got != want.dest[n] {
						t.Errorf("destOf(%s) = %v, want %v\nsource:\n%s", s.text(n), got, want.dest[n], src)
					}
				}
				return true
			})
		}
		dests += len(want.dest)
	}
	if asked == 0 || dests == 0 {
		t.Errorf("the full indexes have %d uses and %d destinations: the comparison asked nothing", asked, dests)
	}
}

func exprsOf(uses []placeUse) []ast.Expr {
	var out []ast.Expr
	for _, u := range uses {
		out = append(out, u.e)
	}
	return out
}
