package rewrite

// The source text of nodes, for the messages of every rule; the layout of
// lines is internal/source's.

import (
	"fmt"
	"go/ast"
	"go/token"

	"github.com/queuefix/queuefix/rewrite/internal/source"
)

// line returns "line N" for pos.
func (a *index) line(pos token.Pos) string {
	return fmt.Sprintf("line %d", a.fset.Position(pos).Line)
}

// exprString returns the source text of e.
func exprString(fi *fileInfo, e ast.Node) string {
	if fi == nil || fi.source() == nil {
		return ""
	}
	return source.Text(fi.pkg.Fset.File(e.Pos()), fi.source(), e)
}

// text returns e's source text.
func (a *index) text(e ast.Node) string {
	return exprString(a.fileOf(e.Pos()), e)
}
