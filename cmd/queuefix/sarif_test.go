package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/queuefix/queuefix/rewrite"
)

// sarifFields is the part of a SARIF log code scanning requires beyond
// what TestSARIF reads.
type sarifFields struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID              string `json:"id"`
					FullDescription struct{ Text string }
					Help            struct{ Text, Markdown string }
					HelpURI         string `json:"helpUri"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		AutomationDetails struct {
			ID string `json:"id"`
		} `json:"automationDetails"`
		Results []struct {
			RuleID              string            `json:"ruleId"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
		} `json:"results"`
	} `json:"runs"`
}

func sarifOf(t *testing.T, dir string, args ...string) sarifFields {
	t.Helper()
	r := queuefixIn(dir, append([]string{"-format", "sarif"}, args...)...)
	var doc sarifFields
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%v", err, r)
	}
	return doc
}

func TestSARIFRules(t *testing.T) {
	t.Parallel()
	dir := newModule(t, map[string]string{"ctrl/ctrl.go": leaky})
	doc := sarifOf(t, dir)
	rules := doc.Runs[0].Tool.Driver.Rules
	if len(rules) != len(rewrite.Rules) {
		t.Fatalf("%d rules, want %d", len(rules), len(rewrite.Rules))
	}
	for i, r := range rules {
		want := rewrite.Rules[i]
		if r.ID != string(want.Name) || r.FullDescription.Text != want.Description || r.Help.Text != want.Help || r.HelpURI != want.URL {
			t.Errorf("rule %d: %+v\nwant from %+v", i, r, want)
		}
		if r.FullDescription.Text == "" || !strings.Contains(r.Help.Markdown, want.Help) {
			t.Errorf("rule %s: empty fullDescription or markdown help without the help text: %+v", r.ID, r)
		}
	}
	if id := doc.Runs[0].AutomationDetails.ID; id != "queuefix/" {
		t.Errorf("automationDetails.id %q, want queuefix/", id)
	}
}

// TestSARIFFingerprints moves the findings down by inserting lines and
// re-indenting a call: the fingerprints must stay, and twin sites in one
// function must differ.
func TestSARIFFingerprints(t *testing.T) {
	t.Parallel()
	dir := newModule(t, map[string]string{"ctrl/ctrl.go": leaky})
	before := fingerprints(t, sarifOf(t, dir))
	path := filepath.Join(dir, "ctrl", "ctrl.go")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	moved := strings.Replace(string(src), "\nimport", "\n// A comment\n// that moves every line.\n\nimport", 1)
	moved = strings.Replace(moved, "AddRateLimited(obj)", "AddRateLimited(\n\t\tobj,\n\t)", 1)
	if moved == string(src) || !strings.Contains(moved, "AddRateLimited(\n") {
		t.Fatalf("the fixture changed: cannot move its lines\n%s", src)
	}
	if err := os.WriteFile(path, []byte(moved), 0o644); err != nil {
		t.Fatal(err)
	}
	after := fingerprints(t, sarifOf(t, dir))
	if strings.Join(before, "\n") != strings.Join(after, "\n") {
		t.Errorf("fingerprints changed when lines moved:\nbefore %q\nafter  %q", before, after)
	}
	seen := map[string]bool{}
	for _, fp := range before {
		if seen[fp] || !strings.Contains(fp, ":") {
			t.Errorf("fingerprint %q repeated or without its count: %q", fp, before)
		}
		seen[fp] = true
	}
}

func fingerprints(t *testing.T, doc sarifFields) []string {
	t.Helper()
	var out []string
	for _, r := range doc.Runs[0].Results {
		fp := r.PartialFingerprints[fingerprintKey]
		if fp == "" {
			t.Errorf("result %s has no %s fingerprint", r.RuleID, fingerprintKey)
		}
		out = append(out, r.RuleID+" "+fp)
	}
	if len(out) == 0 {
		t.Fatal("no results")
	}
	return out
}

// TestSARIFModules checks one run per module, each its own category.
func TestSARIFModules(t *testing.T) {
	t.Parallel()
	a := newModule(t, map[string]string{"ctrl/ctrl.go": leaky})
	b := newModule(t, map[string]string{"ctrl/ctrl.go": leaky})
	root := t.TempDir()
	for name, dir := range map[string]string{"a": a, "b": b} {
		if err := os.Rename(dir, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	doc := sarifOf(t, root, "-modules", ".")
	var ids []string
	for _, run := range doc.Runs {
		ids = append(ids, run.AutomationDetails.ID)
		if len(run.Results) != 2 {
			t.Errorf("run %s: %d results, want 2", run.AutomationDetails.ID, len(run.Results))
		}
	}
	if strings.Join(ids, " ") != "queuefix/a/ queuefix/b/" {
		t.Errorf("automationDetails ids %q, want queuefix/a/ queuefix/b/", ids)
	}
}

func TestVersionOf(t *testing.T) {
	for v, want := range map[string][2]string{
		"v1.2.3":                             {"v1.2.3", "1.2.3"},
		"v0.0.0-20261129120000-0123456789ab": {"v0.0.0-20261129120000-0123456789ab", "0.0.0-20261129120000-0123456789ab"},
		"(devel)":                            {"", ""},
		"":                                   {"", ""},
	} {
		if a, b := versionOf(v); a != want[0] || b != want[1] {
			t.Errorf("versionOf(%q) = %q, %q; want %q, %q", v, a, b, want[0], want[1])
		}
	}
}
