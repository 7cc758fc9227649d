package citest

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/reviewdog/reviewdog/parser"
	"github.com/reviewdog/reviewdog/proto/rdf"
)

// TestReviewdogSuggestions feeds queuefix's SARIF to reviewdog's own
// parser (reviewdog -f=sarif) and checks that every fix comes out as a
// suggestion that reviewdog's GitHub reporter can post: on the lines of
// its diagnostic, and giving, applied the way that reporter applies it,
// the lines queuefix -w writes.
func TestReviewdogSuggestions(t *testing.T) {
	dir := leakyCopy(t)
	t.Chdir(dir) // the parser makes paths relative to the working directory
	out, _ := runQueuefix(t, dir, "-format", "sarif")
	diags, err := parser.NewSarifParser().Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	before := strings.Split(readFile(t, dir, "controller.go"), "\n")
	var got []string
	for _, d := range diags {
		for _, s := range d.GetSuggestions() {
			got = append(got, suggestionLines(t, d, s, before))
		}
	}
	runQueuefix(t, dir, "-w")
	after := readFile(t, dir, "controller.go")
	want := []string{
		"controller.go:52 \t\t\tc.queue.Add(key)",
		"controller.go:71 \tc.queue.Add(key)",
		"controller.go:113 \t\tc.queue.Forget(key)\n\t\treturn true",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("suggestions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, g := range got {
		_, lines, _ := strings.Cut(g, " ")
		if !strings.Contains(after, lines+"\n") {
			t.Errorf("suggestion %q is not what queuefix -w wrote:\n%s", g, after)
		}
	}
}

// suggestionLines checks that s can be posted on d's lines and returns
// "path:line text", text being the lines after the suggestion as
// reviewdog's github-pr-review reporter builds them (buildSingleSuggestion).
func suggestionLines(t *testing.T, d *rdf.Diagnostic, s *rdf.Suggestion, src []string) string {
	t.Helper()
	start, end := s.GetRange().GetStart(), s.GetRange().GetEnd()
	loc := d.GetLocation().GetRange()
	locEnd := loc.GetEnd().GetLine()
	if locEnd == 0 {
		locEnd = loc.GetStart().GetLine()
	}
	if start.GetLine() != loc.GetStart().GetLine() || end.GetLine() != locEnd {
		t.Errorf("%s: suggestion on lines %d-%d, diagnostic on %d-%d: reviewdog would not post it",
			d.GetLocation().GetPath(), start.GetLine(), end.GetLine(), loc.GetStart().GetLine(), locEnd)
	}
	if start.GetColumn() == 0 || end.GetColumn() == 0 {
		t.Errorf("%s:%d: suggestion without columns replaces whole lines", d.GetLocation().GetPath(), start.GetLine())
		return ""
	}
	first, last := src[start.GetLine()-1], src[end.GetLine()-1]
	text := first[:start.GetColumn()-1] + s.GetText() + last[end.GetColumn()-1:]
	return d.GetLocation().GetPath() + ":" + strconv.Itoa(int(start.GetLine())) + " " + text
}
