package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"unicode"

	"github.com/queuefix/queuefix/rewrite"
)

// fingerprintKey names the partialFingerprints entry queuefix writes.
// GitHub code scanning matches alerts across commits by this key alone
// ("Code scanning only uses the primaryLocationLineHash"), so queuefix
// puts its own site hash there instead of leaving it to upload-sarif's
// hash of the line's text: upload-sarif keeps a value it finds, and the
// REST upload computes none. The hash must not change when lines move: it
// covers the rule, the enclosing function and the text of the call (or
// statement) at the finding with all white space removed, and counts
// equal hashes in a file so that twin sites stay apart.
const fingerprintKey = "primaryLocationLineHash"

type fingerprinter struct {
	fset  *token.FileSet
	files map[string]*ast.File // nil when the file does not parse
	src   map[string][]byte
	seen  map[string]int // file URI and hash -> sites so far
}

func newFingerprinter() *fingerprinter {
	return &fingerprinter{fset: token.NewFileSet(), files: map[string]*ast.File{}, src: map[string][]byte{}, seen: map[string]int{}}
}

// of returns the fingerprint of f, whose file has the given URI.
func (fp *fingerprinter) of(f rewrite.Finding, uri string) string {
	s := fp.site(f.Pos)
	sum := sha256.Sum256([]byte(string(f.Rule) + "\x00" + s.fn + "\x00" + s.text))
	h := hex.EncodeToString(sum[:16])
	fp.seen[uri+" "+h]++
	return fmt.Sprintf("%s:%d", h, fp.seen[uri+" "+h])
}

// end returns where the call or statement at pos ends, for a result's
// region; ok is false when the file cannot be read again.
func (fp *fingerprinter) end(pos token.Position) (line, col int, ok bool) {
	s := fp.site(pos)
	return s.end.Line, s.end.Column, s.end.IsValid()
}

// A site is what a finding's position points into.
type site struct {
	fn   string         // the enclosing function, as funcName spells it
	text string         // the innermost call or statement, squeezed
	end  token.Position // where that call or statement ends
}

// site returns the site at pos; a zero site when the file cannot be read
// again.
func (fp *fingerprinter) site(pos token.Position) site {
	f := fp.parse(pos.Filename)
	if f == nil {
		return site{}
	}
	tf := fp.fset.File(f.FileStart)
	if pos.Offset > tf.Size() {
		return site{}
	}
	at := tf.Pos(pos.Offset)
	var s site
	var node ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil || at < n.Pos() || at >= n.End() {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncDecl:
			s.fn = funcName(n)
		case *ast.FuncLit:
			s.fn += ".func"
		case *ast.CallExpr:
			node = n
		case ast.Stmt:
			if !hasBody(n) {
				node = n
			}
		}
		return true
	})
	src := fp.src[pos.Filename]
	if node == nil {
		s.end = fp.fset.Position(tf.Pos(lineEnd(src, pos.Offset)))
		return s
	}
	s.text = squeeze(string(src[tf.Offset(node.Pos()):tf.Offset(node.End())]))
	s.end = fp.fset.Position(node.End())
	return s
}

// hasBody reports whether s holds other statements: a site inside a
// loop's or an if's header is the call or simple statement there, not the
// whole loop, whose text changes with every edit of its body.
func hasBody(s ast.Stmt) bool {
	switch s.(type) {
	case *ast.BlockStmt, *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt,
		*ast.SelectStmt, *ast.CaseClause, *ast.CommClause, *ast.LabeledStmt:
		return true
	}
	return false
}

// lineEnd returns the offset of the end of the line holding offset.
func lineEnd(src []byte, offset int) int {
	if i := bytes.IndexByte(src[offset:], '\n'); i >= 0 {
		return offset + i
	}
	return len(src)
}

func (fp *fingerprinter) parse(name string) *ast.File {
	if f, ok := fp.files[name]; ok {
		return f
	}
	src, err := os.ReadFile(name)
	var f *ast.File
	if err == nil {
		f, err = parser.ParseFile(fp.fset, name, src, parser.SkipObjectResolution)
	}
	if err != nil {
		f = nil
	}
	fp.files[name], fp.src[name] = f, src
	return f
}

// funcName spells a declaration as (*T).m, T.m or f.
func funcName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return d.Name.Name
	}
	t := d.Recv.List[0].Type
	star := ""
	if s, ok := t.(*ast.StarExpr); ok {
		t, star = s.X, "*"
	}
	if ix, ok := t.(*ast.IndexExpr); ok {
		t = ix.X
	}
	if ix, ok := t.(*ast.IndexListExpr); ok {
		t = ix.X
	}
	name := "?"
	if id, ok := t.(*ast.Ident); ok {
		name = id.Name
	}
	return "(" + star + name + ")." + d.Name.Name
}

// squeeze drops white space and the trailing commas a call split over
// lines needs, so re-indentation and line breaks inside a call do not
// change its fingerprint.
func squeeze(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	return strings.NewReplacer(",)", ")", ",}", "}").Replace(s)
}
