package rewrite

import (
	"go/ast"
	"go/token"

	"github.com/queuefix/queuefix/rewrite/internal/source"
	"github.com/queuefix/queuefix/rewrite/internal/walk"
)

// insertion returns the edit that puts stmt at the point, indented like
// its neighbours, or why the point's layout does not allow it. Comments
// stay with the statement they were written above.
func (a *index) insertion(pt *walk.Point, stmt string) (Edit, string) {
	fi := a.fileOf(pt.Pos())
	tf := a.fset.File(pt.Pos())
	src := fi.source()
	nl := source.LineEnding(src)
	switch pt.Kind {
	case walk.BeforeStmt:
		s := pt.Block.List[pt.Index]
		at := a.aboveComments(fi, pt.Block, pt.Index)
		if !source.StartsLine(src, tf.Offset(s.Pos())) {
			return Edit{}, "the statement there shares its line"
		}
		off := source.LineStart(src, tf.Offset(at))
		return insertAt(tf.Name(), off, source.IndentOf(src, tf.Offset(s.Pos()))+stmt+nl), ""
	case walk.BlockStart:
		lb := tf.Offset(pt.Block.Lbrace)
		eol := source.NextNewline(src, lb)
		if eol < 0 || len(pt.Block.List) > 0 && tf.Offset(pt.Block.List[0].Pos()) < eol {
			return Edit{}, "the block's first statement shares the line of its {"
		}
		return insertAt(tf.Name(), eol+1, a.innerIndent(fi, pt.Block, lb)+stmt+nl), ""
	case walk.BlockEnd:
		rb := tf.Offset(pt.Block.Rbrace)
		if !source.StartsLine(src, rb) {
			return Edit{}, "the block's } shares a line"
		}
		return insertAt(tf.Name(), source.LineStart(src, rb), a.innerIndent(fi, pt.Block, rb)+stmt+nl), ""
	}
	rb := tf.Offset(pt.Ifs.Body.Rbrace)
	ind := source.IndentOf(src, rb)
	return insertAt(tf.Name(), rb+1, " else {"+nl+ind+"\t"+stmt+nl+ind+"}"), ""
}

func insertAt(file string, off int, text string) Edit {
	return Edit{File: file, Offset: off, End: off, New: text}
}

// aboveComments returns where the comment lines directly above
// block.List[i] begin (the statement itself when there are none).
func (a *index) aboveComments(fi *fileInfo, block *ast.BlockStmt, i int) token.Pos {
	s := block.List[i]
	floor := block.Lbrace
	if i > 0 {
		floor = block.List[i-1].End()
	}
	at := s.Pos()
	for j := len(fi.syntax.Comments) - 1; j >= 0; j-- {
		g := fi.syntax.Comments[j]
		if g.End() > at || g.Pos() <= floor {
			continue
		}
		if a.fset.Position(at).Line-a.fset.Position(g.End()).Line != 1 {
			break
		}
		if !source.StartsLine(fi.source(), a.fset.Position(g.Pos()).Offset) {
			break
		}
		at = g.Pos()
	}
	return at
}

// innerIndent returns the indentation of the block's statements, or one
// tab more than the line of the brace at off when it has none.
func (a *index) innerIndent(fi *fileInfo, block *ast.BlockStmt, off int) string {
	if len(block.List) > 0 {
		return source.IndentOf(fi.source(), a.fset.Position(block.List[0].Pos()).Offset)
	}
	return source.IndentOf(fi.source(), off) + "\t"
}

// clauseEnd reports whether the point is the end of a case body, which
// has no } of its own to insert before (clauseBlock).
func clauseEnd(pt *walk.Point) bool {
	b := pt.Block
	return pt.Kind == walk.BlockEnd && len(b.List) > 0 && b.Rbrace == b.List[len(b.List)-1].End()
}

// afterLast returns the edit that puts stmt on a line of its own after
// the last statement of a case body, indented like it.
func (a *index) afterLast(pt *walk.Point, stmt string) (Edit, string) {
	fi := a.fileOf(pt.Pos())
	tf := a.fset.File(pt.Pos())
	src := fi.source()
	last := pt.Block.List[len(pt.Block.List)-1]
	eol := source.NextNewline(src, tf.Offset(last.End()))
	if eol < 0 || !source.StartsLine(src, tf.Offset(last.Pos())) {
		return Edit{}, "the case's last statement shares its line"
	}
	return insertAt(tf.Name(), eol+1, source.IndentOf(src, tf.Offset(last.Pos()))+stmt+source.LineEnding(src)), ""
}
