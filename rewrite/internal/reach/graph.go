// Package reach answers reachability questions over a program's call graph
// and returns the shortest witness call chains, in the manner of
// govulncheck. It knows nothing about work queues.
package reach

import (
	"go/token"
	"sort"

	"golang.org/x/tools/go/callgraph"
	"golang.org/x/tools/go/callgraph/vta"
	"golang.org/x/tools/go/ssa"
)

// Graph is a call graph over a fixed set of functions.
type Graph struct {
	cg    *callgraph.Graph
	funcs map[*ssa.Function]bool
	rank  map[*ssa.Function]int // a stable order of the graph's nodes
	added map[*callgraph.Edge]bool
}

// NewGraph computes the VTA call graph of funcs. Calls into functions
// outside funcs are kept as edges to body-less nodes and never followed.
func NewGraph(funcs map[*ssa.Function]bool) *Graph {
	g := &Graph{cg: vta.CallGraph(funcs, nil), funcs: funcs}
	g.rank = rankNodes(g.cg)
	return g
}

// rankNodes orders the nodes by position, then name. A name is computed
// only for nodes that share a position (a method and its bound wrapper):
// naming every node cost more than the sort.
func rankNodes(cg *callgraph.Graph) map[*ssa.Function]int {
	type key struct {
		fn   *ssa.Function
		pos  token.Position // not token.Pos: files enter the FileSet in load order
		name string         // fn.String(), once needed
	}
	keys := make([]key, 0, len(cg.Nodes))
	for fn := range cg.Nodes {
		if fn != nil {
			keys = append(keys, key{fn: fn, pos: fn.Prog.Fset.Position(fn.Pos())})
		}
	}
	name := func(k *key) string {
		if k.name == "" {
			k.name = k.fn.String()
		}
		return k.name
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := &keys[i], &keys[j]
		if a.pos.Filename != b.pos.Filename {
			return a.pos.Filename < b.pos.Filename
		}
		if a.pos.Offset != b.pos.Offset {
			return a.pos.Offset < b.pos.Offset
		}
		return name(a) < name(b)
	})
	rank := make(map[*ssa.Function]int, len(keys))
	for i, k := range keys {
		rank[k.fn] = i
	}
	return rank
}

// AddEdge adds a call edge from site to callee that the call graph
// algorithm could not see, unless the edge is there already. Edges must
// be added in a stable order: the callee's rank comes from it.
func (g *Graph) AddEdge(site ssa.CallInstruction, calleeFn *ssa.Function) {
	caller := g.cg.CreateNode(site.Parent())
	for _, e := range caller.Out {
		if e.Site == site && e.Callee.Func == calleeFn {
			return
		}
	}
	callee := g.cg.CreateNode(calleeFn)
	callgraph.AddEdge(caller, site, callee)
	if g.added == nil {
		g.added = make(map[*callgraph.Edge]bool)
	}
	g.added[caller.Out[len(caller.Out)-1]] = true
	if _, ok := g.rank[calleeFn]; !ok {
		g.rank[calleeFn] = len(g.rank)
	}
}

// Added reports whether e was added by AddEdge.
func (g *Graph) Added(e *callgraph.Edge) bool { return g.added[e] }

// Callees returns the functions the call instruction may call.
func (g *Graph) Callees(site ssa.CallInstruction) []*ssa.Function {
	n := g.cg.Nodes[site.Parent()]
	if n == nil {
		return nil
	}
	var out []*ssa.Function
	for _, e := range n.Out {
		if e.Site == site {
			out = append(out, e.Callee.Func)
		}
	}
	return out
}

// CalleesSeen is Callees without the edges AddEdge added: the functions
// the call graph algorithm itself found the call may call.
func (g *Graph) CalleesSeen(site ssa.CallInstruction) []*ssa.Function {
	n := g.cg.Nodes[site.Parent()]
	if n == nil {
		return nil
	}
	var out []*ssa.Function
	for _, e := range n.Out {
		if e.Site == site && !g.added[e] {
			out = append(out, e.Callee.Func)
		}
	}
	return out
}

// Callers returns the edges into fn.
func (g *Graph) Callers(fn *ssa.Function) []*callgraph.Edge {
	if n := g.cg.Nodes[fn]; n != nil {
		return n.In
	}
	return nil
}

// A Tree records, for every function reached from a set of roots, the
// call edge through which a shortest chain reaches it.
type Tree struct {
	parent map[*ssa.Function]*callgraph.Edge
}

// Forward walks the graph breadth-first from roots, in order, so that the
// chains it records are the shortest and stable across runs. follow reports
// whether an edge may be taken; nil follows every edge.
func (g *Graph) Forward(roots []*ssa.Function, follow func(*callgraph.Edge) bool) *Tree {
	t := &Tree{parent: make(map[*ssa.Function]*callgraph.Edge)}
	queue := make([]*ssa.Function, 0, len(roots))
	for _, r := range roots {
		if _, seen := t.parent[r]; !seen {
			t.parent[r] = nil
			queue = append(queue, r)
		}
	}
	for len(queue) > 0 {
		fn := queue[0]
		queue = queue[1:]
		n := g.cg.Nodes[fn]
		if n == nil {
			continue
		}
		for _, e := range g.sortedOut(n) {
			callee := e.Callee.Func
			if _, seen := t.parent[callee]; seen || !g.funcs[callee] {
				continue
			}
			if follow != nil && !follow(e) {
				continue
			}
			t.parent[callee] = e
			queue = append(queue, callee)
		}
	}
	return t
}

// Reached reports whether fn is reachable from the tree's roots.
func (t *Tree) Reached(fn *ssa.Function) bool {
	_, ok := t.parent[fn]
	return ok
}

// Chain returns the edges of the shortest chain from a root to fn, first
// edge first. It is empty when fn is itself a root, nil when unreached.
func (t *Tree) Chain(fn *ssa.Function) []*callgraph.Edge {
	var chain []*callgraph.Edge
	for {
		e, ok := t.parent[fn]
		if !ok {
			return nil
		}
		if e == nil {
			break
		}
		chain = append(chain, e)
		fn = e.Caller.Func
	}
	for i, j := 0, len(chain)-1; i < j; i, j = i+1, j-1 {
		chain[i], chain[j] = chain[j], chain[i]
	}
	if chain == nil {
		chain = []*callgraph.Edge{}
	}
	return chain
}

// Root returns the root at which fn's chain starts.
func (t *Tree) Root(fn *ssa.Function) *ssa.Function {
	for {
		e, ok := t.parent[fn]
		if !ok {
			return nil
		}
		if e == nil {
			return fn
		}
		fn = e.Caller.Func
	}
}

// sortedOut returns n's out-edges by call position, then callee: VTA adds
// edges in map order, and chains must not change between runs.
func (g *Graph) sortedOut(n *callgraph.Node) []*callgraph.Edge {
	out := append([]*callgraph.Edge(nil), n.Out...)
	sort.SliceStable(out, func(i, j int) bool {
		pi, pj := out[i].Pos(), out[j].Pos()
		if pi != pj {
			return pi < pj
		}
		return g.rank[out[i].Callee.Func] < g.rank[out[j].Callee.Func]
	})
	return out
}
