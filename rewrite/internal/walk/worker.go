package walk

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/queuefix/queuefix/rewrite/internal/match"
)

// A Worker is a function that takes items from a rate-limiting queue:
//
//	key, quit := c.queue.Get()
//
// get is that statement, block the block holding it: the paths queuefix
// follows run from get to the end of block (a loop body's end is the end of
// one iteration).
type Worker struct {
	pkg   *packages.Package
	File  *File
	body  *ast.BlockStmt // the enclosing function's body
	block *ast.BlockStmt
	index int // of get in block.List
	Get   *ast.CallExpr
	Queue ast.Expr     // the receiver of Get, as the worker spells it
	Item  types.Object // the variable Get assigns the item to
	quit  types.Object // the variable Get assigns its shutdown flag to, if any
	Odd   string       // why the Get is not followed, when it is not
}

// findWorkers returns the workers of every target file, each once. In a test
// file (analysed with -test) only a Get whose function also calls Done is
// a worker: tests take items from queues to look at them all the time.
func (s *Scan) findWorkers() []*Worker {
	var out []*Worker
	getting := make(map[*types.Package]map[*token.File]bool) // files that may call Get, by package
	for _, name := range s.sortedFiles() {
		fi := s.files[name]
		using, ok := getting[fi.Pkg.Types]
		if !ok {
			using = match.FilesUsing(s.fset, fi.Pkg.TypesInfo, "Get")
			getting[fi.Pkg.Types] = using
		}
		if !using[s.fset.File(fi.Syntax.FileStart)] {
			continue
		}
		ws := s.fileWorkers(fi)
		if len(ws) == 0 || fi.Source() == nil {
			continue // checking for a change reads the file: only files with workers are read
		}
		for _, w := range ws {
			if !strings.HasSuffix(name, "_test.go") || w.body != nil && callsDone(w.pkg.TypesInfo, w.body) {
				out = append(out, w)
			}
		}
	}
	return out
}

// callsDone reports whether body calls a work queue's Done.
func callsDone(info *types.Info, body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			name, _ := match.CalledQueueMethod(info, call)
			found = found || name == "Done"
		}
		return !found
	})
	return found
}

// fileWorkers finds the Get statements of fi whose queue is a rate-limiting
// queue, with the function body and block around each.
func (s *Scan) fileWorkers(fi *File) []*Worker {
	var out []*Worker
	info := fi.Pkg.TypesInfo
	var bodies []*ast.BlockStmt
	found := make(map[*ast.CallExpr]bool) // Gets that start a followed worker
	ast.Inspect(fi.Syntax, func(n ast.Node) bool {
		switch n := n.(type) {
		case nil:
			return false
		case *ast.FuncDecl:
			if n.Body != nil {
				bodies = append(bodies, n.Body)
			}
		case *ast.FuncLit:
			bodies = append(bodies, n.Body)
		case *ast.BlockStmt:
			for i, s := range n.List {
				if w := getStmt(info, s); w != nil {
					w.pkg, w.File, w.block, w.index = fi.Pkg, fi, n, i
					w.body = innermostBody(bodies, n)
					out = append(out, w)
					found[w.Get] = true
				}
			}
		case *ast.CallExpr:
			if w := oddGet(info, n); w != nil && !found[n] {
				w.pkg, w.File = fi.Pkg, fi
				out = append(out, w)
			}
		}
		return true
	})
	return out
}

// oddGet returns a worker that will not be followed for a Get call on a
// rate-limiting queue that is not `item, quit := q.Get()`.
func oddGet(info *types.Info, call *ast.CallExpr) *Worker {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || !match.IsQueueCall(info, sel, "Get") || !match.IsRateLimitingQueue(info.TypeOf(sel.X)) {
		return nil
	}
	return &Worker{Get: call, Queue: sel.X, Odd: "its item is not assigned to a variable of its own"}
}

// innermostBody returns the last function body that contains b.
func innermostBody(bodies []*ast.BlockStmt, b *ast.BlockStmt) *ast.BlockStmt {
	for i := len(bodies) - 1; i >= 0; i-- {
		if bodies[i].Pos() <= b.Pos() && b.End() <= bodies[i].End() {
			return bodies[i]
		}
	}
	return nil
}

// getStmt returns a worker for `item, quit := q.Get()` (or `=`) when q is
// a rate-limiting queue.
func getStmt(info *types.Info, s ast.Stmt) *Worker {
	as, ok := s.(*ast.AssignStmt)
	if !ok || len(as.Rhs) != 1 || len(as.Lhs) != 2 {
		return nil
	}
	call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
	if !ok {
		return nil
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || !match.IsQueueCall(info, sel, "Get") || !match.IsRateLimitingQueue(info.TypeOf(sel.X)) {
		return nil
	}
	id, ok := as.Lhs[0].(*ast.Ident)
	if !ok || id.Name == "_" {
		return nil
	}
	item := info.ObjectOf(id)
	if item == nil {
		return nil
	}
	return &Worker{Get: call, Queue: sel.X, Item: item, quit: match.IdentObj(info, as.Lhs[1])}
}
