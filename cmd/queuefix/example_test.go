package main

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestLeakyExample keeps the README's first command honest: it runs the
// command, queuefix -C examples/leaky -diff ./..., which must change, flag
// and leave alone exactly the sites examples/leaky/EXPECT.md lists, and
// exit as it says.
func TestLeakyExample(t *testing.T) {
	if testing.Short() {
		t.Skip("examples/leaky builds real client-go; skipped with -short")
	}
	args := readmeCommand(t)
	const dir = "../../examples/leaky"
	data, err := os.ReadFile(dir + "/EXPECT.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := parseExpect(string(data))
	if err != nil {
		t.Fatalf("%s/EXPECT.md: %v", dir, err)
	}
	r := queuefix(args...)
	if r.code != want.exit {
		t.Errorf("exit %d, EXPECT.md says %d\n%s", r.code, want.exit, r)
	}
	got := parseDiff(r.stdout)
	for _, s := range want.sites {
		s.check(t, got, r)
	}
	checkNothingElse(t, want, got, r)
	checkReadmeSample(t, r)
}

// checkReadmeSample checks the output the README shows for its first
// command: each hunk of its diff block is part of the diff printed, and each
// line of the indented block after it is a line printed on stderr.
func checkReadmeSample(t *testing.T, r cliRun) {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "\n```diff\n")
	diff, rest, ok2 := strings.Cut(rest, "```\n")
	if !ok || !ok2 {
		t.Fatal("README.md has no ```diff block")
	}
	for _, hunk := range strings.Split("\n"+diff, "\n@@")[1:] {
		hunk = "@@" + hunk
		if !strings.Contains(r.stdout, hunk) {
			t.Errorf("README.md shows a hunk the diff does not have:\n%s\n%s", hunk, r)
		}
	}
	lines := readmeStderr.FindString(rest)
	if lines == "" {
		t.Fatal("README.md has no indented stderr block after its diff block")
	}
	for _, line := range strings.Split(strings.TrimSuffix(lines, "\n"), "\n") {
		line = strings.TrimPrefix(line, "    ")
		if !slices.Contains(strings.Split(r.stderr, "\n"), line) {
			t.Errorf("README.md shows a line stderr does not have:\n%s\n%s", line, r)
		}
	}
}

// readmeStderr is the first indented block.
var readmeStderr = regexp.MustCompile(`(?m)(^    .*\n)+`)

// readmeCommand returns the arguments of the README's first command,
// "go run ./cmd/queuefix -C examples/leaky ...", with -C made relative to
// this package. The command must be on the README's first screen, before
// its first section.
func readmeCommand(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	firstScreen, _, _ := strings.Cut(string(data), "\n## ")
	m := readmeRun.FindStringSubmatch(firstScreen)
	if m == nil {
		t.Fatalf("README.md has no indented %q command before its first section", "go run ./cmd/queuefix")
	}
	args := strings.Fields(m[1])
	if len(args) < 2 || args[0] != "-C" || args[1] != "examples/leaky" {
		t.Fatalf("README.md's first command is %q; this test checks one that starts -C examples/leaky", m[0])
	}
	args[1] = "../../examples/leaky"
	return args
}

var readmeRun = regexp.MustCompile(`(?m)^    go run \./cmd/queuefix (.+)$`)

// expectSite is one row of EXPECT.md's table: a line of controller.go and
// what queuefix does there.
type expectSite struct {
	line    int    // the site's line in the original file
	code    string // the site's code, as the row quotes it
	outcome string // rewrite, review, keep or insert
	to      string // the new code of a rewrite or insert
	before  int    // insert: the original line the new one goes before
}

type expectation struct {
	sites []expectSite
	exit  int
}

var (
	rowSite   = regexp.MustCompile(`^\| ([^|]*) \| (.*) \|$`)
	siteLine  = regexp.MustCompile(`controller\.go:(\d+)`)
	siteCode  = regexp.MustCompile("`([^`]+)`")
	rowTo     = regexp.MustCompile("(?:→|\\*\\*insert\\*\\*) `([^`]+)`")
	rowBefore = regexp.MustCompile("at (\\d+)")
	exitLine  = regexp.MustCompile("exit code of a dry run: (\\d+)")
)

// parseExpect reads the sites table and the exit code of EXPECT.md. Every
// row below the table's header must name a line of controller.go.
func parseExpect(md string) (expectation, error) {
	var e expectation
	for _, line := range strings.Split(md, "\n") {
		m := rowSite.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil || m[1] == "site" || strings.HasPrefix(m[1], "---") {
			continue // not the table, its header or its rule
		}
		s, err := parseRow(m[1], m[2])
		if err != nil {
			return e, fmt.Errorf("row %q: %v", line, err)
		}
		e.sites = append(e.sites, s)
	}
	m := exitLine.FindStringSubmatch(md)
	if len(e.sites) == 0 || m == nil {
		return e, errors.New("no sites table or no exit code")
	}
	e.exit, _ = strconv.Atoi(m[1])
	return e, nil
}

func parseRow(site, outcome string) (expectSite, error) {
	var s expectSite
	line := siteLine.FindStringSubmatch(site)
	if line == nil {
		return s, errors.New("the site names no line of controller.go")
	}
	s.line, _ = strconv.Atoi(line[1])
	if code := siteCode.FindStringSubmatch(site); code != nil {
		s.code = code[1]
	}
	switch {
	case strings.HasPrefix(outcome, "**rewrite**"):
		s.outcome = "rewrite"
	case strings.HasPrefix(outcome, "**needs review**"):
		s.outcome = "review"
	case strings.HasPrefix(outcome, "keep"):
		s.outcome = "keep"
	case strings.HasPrefix(outcome, "**insert**"):
		s.outcome = "insert"
		m := rowBefore.FindStringSubmatch(outcome)
		if m == nil {
			return s, errors.New("an insert names no line to go before (\"at N\")")
		}
		s.before, _ = strconv.Atoi(m[1])
	default:
		return s, fmt.Errorf("unknown outcome %q", outcome)
	}
	if s.outcome == "rewrite" || s.outcome == "insert" {
		m := rowTo.FindStringSubmatch(outcome)
		if m == nil {
			return s, errors.New("no new code in backquotes")
		}
		s.to = m[1]
	}
	return s, nil
}

// diffLines is what a one-file diff removes and adds, by original line:
// removed[n] is line n's text, added[n] the lines inserted before line n.
// Texts are trimmed of indentation.
type diffLines struct {
	removed map[int]string
	added   map[int][]string
}

var hunkHeader = regexp.MustCompile(`^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@`)

func parseDiff(diff string) diffLines {
	d := diffLines{removed: map[int]string{}, added: map[int][]string{}}
	old := 0 // the next original line
	for _, line := range strings.Split(diff, "\n") {
		if m := hunkHeader.FindStringSubmatch(line); m != nil {
			old, _ = strconv.Atoi(m[1])
			continue
		}
		if old == 0 || line == "" {
			continue // file header, or the end
		}
		switch line[0] {
		case '-':
			d.removed[old] = strings.TrimSpace(line[1:])
			old++
		case '+':
			d.added[old] = append(d.added[old], strings.TrimSpace(line[1:]))
		case ' ':
			old++
		}
	}
	return d
}

// check tests one site against the diff and the findings.
func (s expectSite) check(t *testing.T, d diffLines, r cliRun) {
	t.Helper()
	finding := hasFinding(r.stderr, s.line)
	switch s.outcome {
	case "rewrite":
		if d.removed[s.line] != s.code || !slices.Contains(d.added[s.line+1], s.to) {
			t.Errorf("controller.go:%d: EXPECT.md says %s becomes %s; the diff removes %q and adds %q there\n%s",
				s.line, s.code, s.to, d.removed[s.line], d.added[s.line+1], r)
		}
	case "insert":
		if !slices.Contains(d.added[s.before], s.to) {
			t.Errorf("controller.go:%d: EXPECT.md says %s is inserted before line %d; the diff adds %q there\n%s",
				s.line, s.to, s.before, d.added[s.before], r)
		}
	case "review", "keep":
		if _, changed := d.removed[s.line]; changed {
			t.Errorf("controller.go:%d: EXPECT.md says %s is left alone; the diff changes it\n%s", s.line, s.outcome, r)
		}
		if finding != (s.outcome == "review") {
			t.Errorf("controller.go:%d: EXPECT.md says %s; a review finding there: %v\n%s", s.line, s.outcome, finding, r)
		}
	}
}

// findingLine matches the first line of a finding on stderr.
var findingLine = regexp.MustCompile(`(?m)^controller\.go:(\d+):\d+: `)

func hasFinding(stderr string, line int) bool {
	for _, m := range findingLine.FindAllStringSubmatch(stderr, -1) {
		if m[1] == strconv.Itoa(line) {
			return true
		}
	}
	return false
}

// checkNothingElse fails on changes and findings that no row of EXPECT.md
// accounts for.
func checkNothingElse(t *testing.T, e expectation, d diffLines, r cliRun) {
	t.Helper()
	removed, added, reviews := 0, 0, 0
	for _, s := range e.sites {
		switch s.outcome {
		case "rewrite":
			removed++
			added++
		case "insert":
			added++
		case "review":
			reviews++
		}
	}
	nAdded := 0
	for _, lines := range d.added {
		nAdded += len(lines)
	}
	if len(d.removed) != removed || nAdded != added {
		t.Errorf("the diff removes %d and adds %d lines; EXPECT.md accounts for %d and %d\n%s",
			len(d.removed), nAdded, removed, added, r)
	}
	if n := len(findingLine.FindAllString(r.stderr, -1)); n != reviews {
		t.Errorf("%d findings on stderr; EXPECT.md lists %d to review\n%s", n, reviews, r)
	}
}
