package rewrite

import (
	"go/ast"
	"go/token"
	"strconv"
	"strings"

	"github.com/queuefix/queuefix/rewrite/internal/source"
)

// ignorePrefix starts a directive that leaves the call on its line (or on
// the next line, when the directive stands alone) untouched.
const ignorePrefix = "//queuefix:ignore"

// An ignore is one //queuefix:ignore directive.
type ignore struct {
	pos    token.Position
	line   int // the line it covers
	reason string
}

// hasIgnores reports whether f has a comment that may be a directive.
func hasIgnores(f *ast.File) bool {
	for _, g := range f.Comments {
		for _, c := range g.List {
			if strings.HasPrefix(c.Text, ignorePrefix) {
				return true
			}
		}
	}
	return false
}

// parseIgnores returns the file's directives. A directive that shares its
// line with code covers that line; one alone on its line covers the next.
func parseIgnores(fset *token.FileSet, f *ast.File, src []byte) []*ignore {
	var out []*ignore
	for _, group := range f.Comments {
		for _, c := range group.List {
			rest, ok := strings.CutPrefix(c.Text, ignorePrefix)
			if !ok || rest != "" && rest[0] != ' ' && rest[0] != '\t' {
				continue
			}
			pos := fset.Position(c.Slash)
			ig := &ignore{pos: pos, line: pos.Line, reason: strings.TrimSpace(rest)}
			if source.OnlyBlanksBefore(src, pos.Offset) {
				ig.line = pos.Line + 1
			}
			out = append(out, ig)
		}
	}
	return out
}

// ignoreFor returns the directive that covers line, if any.
func (fi *fileInfo) ignoreFor(line int) *ignore {
	for _, ig := range fi.ignores {
		if ig.line == line {
			return ig
		}
	}
	return nil
}

// ignoreSite turns f into a finding left alone by the directive that
// covers its line, if one with a reason does, and returns the directive.
func ignoreSite(fi *fileInfo, f *Finding) *ignore {
	ig := fi.ignoreFor(f.Pos.Line)
	if ig == nil || ig.reason == "" {
		return nil
	}
	f.Status, f.Message = Ignored, "left alone by //queuefix:ignore: "+ig.reason
	return ig
}

// unusedIgnores reports directives without a reason and directives that
// cover nothing the rules used them for (used), so stale ones do not
// pile up; all says every rule that reads directives ran, without which
// an unused directive may be one a rule not run would use.
func (a *index) unusedIgnores(used []*ignore, all bool) []Finding {
	isUsed := make(map[*ignore]bool, len(used))
	for _, ig := range used {
		isUsed[ig] = true
	}
	var out []Finding
	for _, fi := range a.files {
		for _, ig := range fi.ignores {
			msg := ""
			switch {
			case ig.reason == "":
				msg = "//queuefix:ignore needs a reason: //queuefix:ignore <why this call stays rate limited>"
			case !isUsed[ig] && all: // a rule not run may have used it
				msg = "//queuefix:ignore covers nothing queuefix would change or leave for review (an AddRateLimited reached from an event handler, an adapter's Add, a worker's Get) on line " + strconv.Itoa(ig.line) + ": remove it"
			default:
				continue
			}
			out = append(out, Finding{Pos: ig.pos, Rule: RuleIgnore, Status: Review, Message: msg})
		}
	}
	return out
}
