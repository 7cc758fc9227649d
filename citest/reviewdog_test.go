package citest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
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

// dropper is a worker whose Forget goes in at two exits: one change with
// two edits in one file.
const dropper = `package main

import (
	"fmt"

	"k8s.io/client-go/util/workqueue"
)

type dropper struct {
	queue workqueue.RateLimitingInterface
}

func (d *dropper) processNextWorkItem() bool {
	obj, shutdown := d.queue.Get()
	if shutdown {
		return false
	}
	defer d.queue.Done(obj)
	key, ok := obj.(string)
	if !ok {
		fmt.Printf("expected a string key, got %#v\n", obj)
		return true
	}
	if err := d.sync(key); err != nil {
		if d.queue.NumRequeues(obj) < 5 {
			d.queue.AddRateLimited(obj)
			return true
		}
		fmt.Printf("dropping %q: %v\n", key, err)
		return true
	}
	d.queue.Forget(obj)
	return true
}

func (d *dropper) sync(key string) error { return nil }
`

// TestReviewdogMultiEdit checks that reviewdog's parser reads every edit
// of a change with several: it keeps one artifactChange per path, so the
// edits must share one.
func TestReviewdogMultiEdit(t *testing.T) {
	dir := leakyCopy(t)
	if err := os.WriteFile(filepath.Join(dir, "dropper.go"), []byte(dropper), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	out, _ := runQueuefix(t, dir, "-format", "sarif")
	diags, err := parser.NewSarifParser().Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range diags {
		if d.GetLocation().GetPath() != "dropper.go" {
			continue
		}
		got = append(got, "diagnostic "+strconv.Itoa(int(d.GetLocation().GetRange().GetStart().GetLine())))
		for _, s := range d.GetSuggestions() {
			got = append(got, fmt.Sprintf("suggestion %d:%d %q", s.GetRange().GetStart().GetLine(), s.GetRange().GetStart().GetColumn(), s.GetText()))
		}
	}
	want := []string{"diagnostic 21", `suggestion 21:1 "\t\td.queue.Forget(obj)\n"`, `suggestion 29:1 "\t\td.queue.Forget(obj)\n"`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("reviewdog read from dropper.go:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
