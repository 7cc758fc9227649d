package walk

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/types/typeutil"

	"github.com/queuefix/queuefix/rewrite/internal/match"
)

// limitedQueues is what the targets call AddRateLimited on: the receivers'
// static types, and the queue fields among the receivers. uses says how
// every queue field is used (fields.go).
type limitedQueues struct {
	types  typeutil.Map // types.Type -> true
	fields map[*types.Var]bool
	uses   map[*types.Var]*fieldUse
}

// rateLimitedQueues collects the receivers of AddRateLimited anywhere in
// the targets: only their items can sit in a rate limiter, so only the
// workers of those queues need Forget.
func (s *Scan) rateLimitedQueues() *limitedQueues {
	out := &limitedQueues{fields: make(map[*types.Var]bool), uses: make(map[*types.Var]*fieldUse)}
	for _, name := range s.sortedFiles() {
		fi := s.files[name]
		info := fi.Pkg.TypesInfo
		queueFieldUses(info, fi.Syntax, out.uses, func(call *ast.CallExpr) {
			if recv := rateLimitedReceiver(info, call); recv != nil {
				out.types.Set(info.TypeOf(recv), true)
				if f := queueField(info, recv); f != nil {
					out.fields[f] = true
				}
			}
		})
	}
	return out
}

// rateLimitedReceiver returns the receiver of an AddRateLimited call, or
// nil. A priority queue's AddWithOpts(RateLimited: true) is not counted:
// the worker walk does not know it as a requeue, and a Forget could land
// before one.
func rateLimitedReceiver(info *types.Info, call *ast.CallExpr) ast.Expr {
	if m, recv := match.CalledQueueMethod(info, call); m == "AddRateLimited" {
		return recv
	}
	return nil
}

// reaches reports whether AddRateLimited may be called on the worker's
// queue: a queue of its type receives it somewhere and, when the worker's
// queue is a private field (fields.go), on that field.
func (l *limitedQueues) reaches(w *Worker) bool {
	if l.types.At(w.pkg.TypesInfo.TypeOf(w.Queue)) == nil {
		return false
	}
	if field := queueField(w.pkg.TypesInfo, w.Queue); field != nil && l.uses[field].private(field) {
		return l.fields[field]
	}
	return true
}

// queueField returns the queue field e selects (c.queue), or nil.
func queueField(info *types.Info, e ast.Expr) *types.Var {
	if sel, ok := ast.Unparen(e).(*ast.SelectorExpr); ok {
		return queueFieldOf(info, sel)
	}
	return nil
}
