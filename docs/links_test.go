// Package docs holds the tests that keep the documentation's links true.
package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/queuefix/queuefix/rewrite"
)

// pages are the Markdown files whose relative links are checked, relative
// to the repository root. docs/pending holds drafts and is not checked.
func pages(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join("..", "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	ps := []string{"README.md", "CONTRIBUTING.md", "bench/README.md"}
	for _, d := range docs {
		ps = append(ps, strings.TrimPrefix(filepath.ToSlash(d), "../"))
	}
	return ps
}

// TestLinks checks that every relative link in the pages names a file or
// directory of the repository, and every #anchor a heading of its page.
func TestLinks(t *testing.T) {
	for _, page := range pages(t) {
		md, err := os.ReadFile(filepath.Join("..", page))
		if err != nil {
			t.Fatal(err)
		}
		ls := links(string(md))
		for _, link := range ls {
			if err := checkLink(page, link); err != "" {
				t.Errorf("%s: link %q: %s", page, link, err)
			}
		}
		t.Logf("%s: %d relative links", page, len(ls))
	}
}

// TestRuleURLs checks that each rule's URL (SARIF helpUri, the analyzers'
// URL) is its heading in docs/rules.md on the main branch.
func TestRuleURLs(t *testing.T) {
	const prefix = "https://github.com/queuefix/queuefix/blob/main/"
	for _, r := range rewrite.Rules {
		want := prefix + "docs/rules.md#" + string(r.Name)
		if r.URL != want {
			t.Errorf("rule %s: URL %q, want %q", r.Name, r.URL, want)
			continue
		}
		if err := checkLink("README.md", strings.TrimPrefix(r.URL, prefix)); err != "" {
			t.Errorf("rule %s: URL %q: %s", r.Name, r.URL, err)
		}
	}
}

// TestCheckLink shows that broken links are caught.
func TestCheckLink(t *testing.T) {
	for _, tc := range []struct {
		page, link string
		ok         bool
	}{
		{"README.md", "docs/rules.md#forget", true},
		{"docs/ci.md", "rules.md#addratelimited", true},
		{"docs/ci.md", "../action.yml", true},
		{"docs/ci.md", "#github-action", true},
		{"README.md", "docs/rules.md#no-such-heading", false},
		{"README.md", "docs/no-such-page.md", false},
		{"docs/ci.md", "#no-such-heading", false},
		{"docs/ci.md", "rules.md", true},
		{"docs/ci.md", "docs/rules.md", false}, // relative to docs/
	} {
		err := checkLink(tc.page, tc.link)
		if (err == "") != tc.ok {
			t.Errorf("checkLink(%q, %q) = %q, want ok %v", tc.page, tc.link, err, tc.ok)
		}
	}
}

func TestSlug(t *testing.T) {
	for heading, want := range map[string]string{
		"addratelimited": "addratelimited",
		"Edits are byte splices, not dst restores":         "edits-are-byte-splices-not-dst-restores",
		"The execution harness: running the fix":           "the-execution-harness-running-the-fix",
		"Linters: go vet, go fix, golangci-lint, editors":  "linters-go-vet-go-fix-golangci-lint-editors",
		"`-modules` and [fleets](fleet.md)":                "-modules-and-fleets",
		"Status and compatibility":                         "status-and-compatibility",
		"What needs review":                                "what-needs-review",
		"go vet and go fix":                                "go-vet-and-go-fix",
		"A closed world":                                   "a-closed-world",
		"Performance, and how queuefix loads code":         "performance-and-how-queuefix-loads-code",
		"Fleets: many repositories at once":                "fleets-many-repositories-at-once",
		"GitHub Actions matrix":                            "github-actions-matrix",
		"Sourcegraph batch changes":                        "sourcegraph-batch-changes",
		"leakdemo: the same controller before and after …": "leakdemo-the-same-controller-before-and-after-",
	} {
		if got := slug(heading); got != want {
			t.Errorf("slug(%q) = %q, want %q", heading, got, want)
		}
	}
}

// checkLink returns what is wrong with a relative link on page, or "".
func checkLink(page, link string) string {
	target, anchor, _ := strings.Cut(link, "#")
	path := page
	if target != "" {
		path = filepath.ToSlash(filepath.Join(filepath.Dir(page), target))
	}
	if strings.HasPrefix(path, "../") {
		return "points outside the repository"
	}
	if _, err := os.Stat(filepath.Join("..", path)); err != nil {
		return "no file " + path
	}
	if anchor == "" {
		return ""
	}
	if !strings.HasSuffix(path, ".md") {
		return "an anchor into " + path + ", which is not Markdown"
	}
	md, err := os.ReadFile(filepath.Join("..", path))
	if err != nil {
		return err.Error()
	}
	if !slices.Contains(anchors(string(md)), anchor) {
		return "no heading #" + anchor + " in " + path
	}
	return ""
}

var (
	fence      = regexp.MustCompile("(?ms)^ *```.*?^ *```[^\n]*$")
	codeSpan   = regexp.MustCompile("`[^`\n]*`")
	inlineLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	heading    = regexp.MustCompile(`(?m)^#{1,6} +(.+?) *#*$`)
	htmlAnchor = regexp.MustCompile(`<a (?:id|name)="([^"]+)"`)
	linkText   = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
)

// prose is md without fenced code blocks and code spans.
func prose(md string) string {
	md = fence.ReplaceAllString(md, "")
	return codeSpan.ReplaceAllString(md, "")
}

// links returns the relative link targets of md, images included.
func links(md string) []string {
	var ls []string
	for _, m := range inlineLink.FindAllStringSubmatch(prose(md), -1) {
		if strings.Contains(m[1], "://") || strings.HasPrefix(m[1], "mailto:") {
			continue // not in the repository
		}
		ls = append(ls, m[1])
	}
	return ls
}

// anchors returns the anchors GitHub gives md's headings (a repeated one
// gets -1, -2, ...) and those of its <a id> and <a name> tags.
func anchors(md string) []string {
	md = fence.ReplaceAllString(md, "")
	var as []string
	seen := map[string]int{}
	for _, m := range heading.FindAllStringSubmatch(md, -1) {
		s := slug(m[1])
		if n := seen[s]; n > 0 {
			as = append(as, s+"-"+strconv.Itoa(n))
		} else {
			as = append(as, s)
		}
		seen[s]++
	}
	for _, m := range htmlAnchor.FindAllStringSubmatch(md, -1) {
		as = append(as, m[1])
	}
	return as
}

// slug is GitHub's anchor for a heading: link text kept, lower case,
// letters, digits, '-' and '_' kept, spaces turned into '-', the rest
// dropped.
func slug(h string) string {
	h = linkText.ReplaceAllString(h, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}
