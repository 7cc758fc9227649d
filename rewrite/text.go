package rewrite

// Text helpers: source text of nodes and the layout of lines, for the
// messages and edits of every rule.

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
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
	tf := fi.pkg.Fset.File(e.Pos())
	return string(fi.source()[tf.Offset(e.Pos()):tf.Offset(e.End())])
}

// onlyBlanksBefore reports whether src holds only spaces and tabs between
// the start of the line and offset.
func onlyBlanksBefore(src []byte, offset int) bool {
	for i := offset - 1; i >= 0 && src[i] != '\n'; i-- {
		if src[i] != ' ' && src[i] != '\t' {
			return false
		}
	}
	return true
}

// lineEnding returns the file's line ending: "\r\n" when its first line
// ends so, "\n" otherwise.
func lineEnding(src []byte) string {
	if i := bytes.IndexByte(src, '\n'); i > 0 && src[i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}

// lineStart returns the offset of the start of off's line.
func lineStart(src []byte, off int) int {
	for off > 0 && src[off-1] != '\n' {
		off--
	}
	return off
}

// startsLine reports whether only blanks precede off on its line.
func startsLine(src []byte, off int) bool {
	return onlyBlanksBefore(src, off)
}

// indentOf returns the blanks that start off's line.
func indentOf(src []byte, off int) string {
	start := lineStart(src, off)
	end := start
	for end < len(src) && (src[end] == ' ' || src[end] == '\t') {
		end++
	}
	return string(src[start:end])
}

func nextNewline(src []byte, off int) int {
	for i := off; i < len(src); i++ {
		if src[i] == '\n' {
			return i
		}
	}
	return -1
}

// indentLines puts indent after each line break of the expression text,
// and writes line breaks as nl, except inside raw strings.
func indentLines(text, nl, indent string) (string, error) {
	fset := token.NewFileSet()
	expr, err := parser.ParseExprFrom(fset, "", text, 0)
	if err != nil {
		return "", err
	}
	tf := fset.File(expr.Pos())
	var raw [][2]int
	ast.Inspect(expr, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && strings.HasPrefix(lit.Value, "`") {
			raw = append(raw, [2]int{tf.Offset(lit.Pos()), tf.Offset(lit.End())})
		}
		return true
	})
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		if text[i] != '\n' || inside(raw, i) {
			b.WriteByte(text[i])
			continue
		}
		b.WriteString(nl + indent)
	}
	return b.String(), nil
}

// endsLineWithComma reports whether only a comma and blanks follow off on
// its line.
func endsLineWithComma(src []byte, off int) bool {
	if off >= len(src) || src[off] != ',' {
		return false
	}
	for off++; off < len(src) && src[off] != '\n'; off++ {
		if src[off] != ' ' && src[off] != '\t' && src[off] != '\r' {
			return false
		}
	}
	return off < len(src)
}

// text returns e's source text.
func (a *index) text(e ast.Node) string {
	return exprString(a.fileOf(e.Pos()), e)
}

func inside(spans [][2]int, off int) bool {
	for _, sp := range spans {
		if sp[0] <= off && off < sp[1] {
			return true
		}
	}
	return false
}
