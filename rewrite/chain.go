package rewrite

import (
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/callgraph"
	"golang.org/x/tools/go/ssa"

	"github.com/queuefix/queuefix/rewrite/internal/match"
	"github.com/queuefix/queuefix/rewrite/internal/reach"
)

// handlerChain returns the shortest chain from a handler registration to
// the call at pos in fn.
func (a *graph) handlerChain(fn *ssa.Function, pos token.Pos) Chain {
	r := a.handler.Root(fn)
	c := Chain{Kind: ChainHandler}
	if r != nil {
		c.Frames = append(c.Frames, Frame{Func: a.roots[r].how, Pos: a.fset.Position(a.roots[r].pos)})
	}
	c.Frames = append(c.Frames, a.frames(a.handler, fn, pos)...)
	return c
}

// otherChain returns the shortest chain from an entry point that is not an
// event handler to the call at pos in fn.
func (a *graph) otherChain(fn *ssa.Function, pos token.Pos) Chain {
	c := Chain{Kind: ChainOther}
	if r := a.other.Root(fn); r != nil {
		if e, ok := a.escaped[r]; ok {
			c.Frames = append(c.Frames, Frame{Func: e.to, Pos: a.fset.Position(e.pos)})
		}
	}
	c.Frames = append(c.Frames, a.frames(a.other, fn, pos)...)
	return c
}

// frames turns the tree's chain to fn into frames: each function with the
// position of the call it makes. Synthetic wrappers are left out.
func (a *graph) frames(t *reach.Tree, fn *ssa.Function, pos token.Pos) []Frame {
	var out []Frame
	for _, e := range t.Chain(fn) {
		if isSynthetic(e.Caller.Func) {
			continue
		}
		out = append(out, Frame{Func: funcName(e.Caller.Func), Pos: a.fset.Position(edgePos(e))})
	}
	return append(out, Frame{Func: funcName(fn), Pos: a.fset.Position(pos)})
}

func edgePos(e *callgraph.Edge) token.Pos {
	if e.Site != nil {
		return e.Site.Pos()
	}
	return token.NoPos
}

func isSynthetic(fn *ssa.Function) bool {
	return fn.Synthetic != "" && fn.Origin() == nil
}

// funcName names fn the way Go stack traces do, with the package's name:
// controller.(*Controller).enqueue, controller.(*Controller).Run.func1.
func funcName(fn *ssa.Function) string {
	if p := fn.Parent(); p != nil {
		name := fn.Name()
		return funcName(p) + ".func" + name[strings.LastIndex(name, "$")+1:]
	}
	if o := fn.Origin(); o != nil {
		fn = o
	}
	name := strings.TrimSuffix(fn.Name(), "$bound")
	if recv := fn.Signature.Recv(); recv != nil {
		t := recv.Type()
		if n := match.NamedOf(t); n != nil {
			name = n.Obj().Name() + "." + name
			if _, ptr := types.Unalias(t).(*types.Pointer); ptr {
				name = "(*" + strings.Replace(name, ".", ").", 1)
			}
		}
	}
	if fn.Pkg != nil {
		return fn.Pkg.Pkg.Name() + "." + name
	}
	return name
}
