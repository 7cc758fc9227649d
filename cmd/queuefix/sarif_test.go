package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
					Properties      struct {
						Tags      []string `json:"tags"`
						Precision string   `json:"precision"`
					} `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		AutomationDetails struct {
			ID string `json:"id"`
		} `json:"automationDetails"`
		OriginalURIBaseIDs map[string]struct {
			URI string `json:"uri"`
		} `json:"originalUriBaseIds"`
		Results []sarifFieldsResult `json:"results"`
	} `json:"runs"`
}

type sarifFieldsResult struct {
	RuleID  string `json:"ruleId"`
	Kind    string `json:"kind"`
	Level   string `json:"level"`
	Message struct {
		Text string `json:"text"`
	} `json:"message"`
	Locations []struct {
		PhysicalLocation struct {
			ArtifactLocation sarifFieldsArtifact `json:"artifactLocation"`
			Region           sarifRegion         `json:"region"`
		} `json:"physicalLocation"`
	} `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Fixes               []struct {
		ArtifactChanges []struct {
			ArtifactLocation sarifFieldsArtifact `json:"artifactLocation"`
			Replacements     []struct {
				DeletedRegion   sarifRegion `json:"deletedRegion"`
				InsertedContent struct {
					Text string `json:"text"`
				} `json:"insertedContent"`
			} `json:"replacements"`
		} `json:"artifactChanges"`
	} `json:"fixes"`
	Suppressions []json.RawMessage `json:"suppressions"`
	Properties   struct {
		Tags []string `json:"tags"`
	} `json:"properties"`
}

type sarifFieldsArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

// where returns a result's location as uri:line:col-endLine:endCol.
func (r sarifFieldsResult) where() string {
	loc := r.Locations[0].PhysicalLocation
	g := loc.Region
	return fmt.Sprintf("%s:%d:%d-%d:%d", loc.ArtifactLocation.URI, g.StartLine, g.StartColumn, g.EndLine, g.EndColumn)
}

func sarifOf(t *testing.T, dir string, args ...string) sarifFields {
	t.Helper()
	r := queuefixIn(dir, append([]string{"-format", "sarif"}, args...)...)
	var doc sarifFields
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%v", err, r)
	}
	if len(doc.Runs) == 0 {
		t.Fatalf("no runs\n%v", r)
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
		if len(r.Properties.Tags) == 0 || r.Properties.Precision == "" {
			t.Errorf("rule %s: no tags or precision for code scanning's filters: %+v", r.ID, r.Properties)
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
		fp := r.PartialFingerprints["primaryLocationLineHash"]
		if len(r.PartialFingerprints) != 1 || fp == "" {
			t.Errorf("result %s: partialFingerprints %v, want primaryLocationLineHash, the one code scanning uses", r.RuleID, r.PartialFingerprints)
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

// TestSARIFIgnored checks that a site left alone by //queuefix:ignore is no
// result: code scanning does not read suppressions, so it would open an
// alert on exactly the site a team decided to keep. The JSON keeps it.
func TestSARIFIgnored(t *testing.T) {
	t.Parallel()
	ignored := strings.Replace(leaky, "func (c *C) enqueue", "//queuefix:ignore updates come in storms; keep the backoff\nfunc (c *C) enqueue", 1)
	dir := newModule(t, map[string]string{"ctrl/ctrl.go": ignored})
	doc := sarifOf(t, dir)
	var got []string
	for _, r := range doc.Runs[0].Results {
		got = append(got, r.RuleID)
		if len(r.Suppressions) > 0 {
			t.Errorf("result %s %s has suppressions", r.RuleID, r.where())
		}
	}
	if strings.Join(got, " ") != "forget" {
		t.Errorf("results %q, want only forget: the ignored AddRateLimited must not be one\n%s", got, ignored)
	}
	if j := queuefixIn(dir, "-json"); !strings.Contains(j.stdout, `"status": "ignored"`) {
		t.Errorf("-json lost the ignored site\n%v", j)
	}
}

// TestSARIFIgnoredTwin ignores the first of two equal calls in one
// function: the other keeps its fingerprint, so its alert stays open as
// the same alert.
func TestSARIFIgnoredTwin(t *testing.T) {
	t.Parallel()
	twins := strings.Replace(leaky, "func (c *C) enqueue(obj interface{}) { c.queue.AddRateLimited(obj) }",
		"func (c *C) enqueue(obj interface{}) {\n\tc.queue.AddRateLimited(obj)\n\tc.queue.AddRateLimited(obj)\n}", 1)
	if twins == leaky {
		t.Fatal("the fixture changed: cannot make twin calls")
	}
	before := fingerprints(t, sarifOf(t, newModule(t, map[string]string{"ctrl/ctrl.go": twins})))
	ignored := strings.Replace(twins, "{\n\tc.queue.AddRateLimited(obj)", "{\n\t//queuefix:ignore updates come in storms; keep the backoff\n\tc.queue.AddRateLimited(obj)", 1)
	after := fingerprints(t, sarifOf(t, newModule(t, map[string]string{"ctrl/ctrl.go": ignored})))
	if len(before) != 3 || len(after) != 2 || after[0] != before[1] || after[1] != before[2] {
		t.Errorf("fingerprints before ignoring the first twin %q, after %q: want the second twin's and forget's kept", before, after)
	}
}

// TestSARIFRegions checks that results carry full regions: to the end of
// the call or statement, over several lines when it is split.
func TestSARIFRegions(t *testing.T) {
	t.Parallel()
	split := strings.Replace(leaky, "c.queue.AddRateLimited(obj) }", "c.queue.AddRateLimited(\n\tobj,\n) }", 1)
	for _, tc := range []struct {
		src  string
		want []string
	}{
		{leaky, []string{"ctrl/ctrl.go:18:48-18:67", "ctrl/ctrl.go:30:2-30:13"}},
		{split, []string{"ctrl/ctrl.go:18:48-20:2", "ctrl/ctrl.go:32:2-32:13"}},
	} {
		doc := sarifOf(t, newModule(t, map[string]string{"ctrl/ctrl.go": tc.src}))
		var got []string
		for _, r := range doc.Runs[0].Results {
			got = append(got, r.where())
		}
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("regions %q, want %q, of\n%s", got, tc.want, tc.src)
		}
	}
}

// TestSARIFPaths runs queuefix in a module below the root of a git
// repository: paths and the category are relative to the repository root,
// through %SRCROOT%, so that code scanning finds the files. Outside a
// repository the root is the -C directory.
func TestSARIFPaths(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	if out, err := exec.Command("git", "init", "-q", root).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	svc := filepath.Join(root, "svc")
	if err := os.Rename(newModule(t, map[string]string{"ctrl/ctrl.go": leaky}), svc); err != nil {
		t.Fatal(err)
	}
	plain := newModule(t, map[string]string{"ctrl/ctrl.go": leaky})
	for _, tc := range []struct{ dir, base, uri, category string }{
		{svc, root, "svc/ctrl/ctrl.go", "queuefix/svc/"},
		{filepath.Join(svc, "ctrl"), root, "svc/ctrl/ctrl.go", "queuefix/svc/ctrl/"},
		{plain, plain, "ctrl/ctrl.go", "queuefix/"},
	} {
		run := sarifOf(t, tc.dir).Runs[0]
		if got, want := run.OriginalURIBaseIDs["%SRCROOT%"].URI, "file://"+filepath.ToSlash(tc.base)+"/"; got != want {
			t.Errorf("-C %s: %%SRCROOT%% is %q, want %q", tc.dir, got, want)
		}
		if run.AutomationDetails.ID != tc.category {
			t.Errorf("-C %s: category %q, want %q", tc.dir, run.AutomationDetails.ID, tc.category)
		}
		for _, r := range run.Results {
			arts := []sarifFieldsArtifact{r.Locations[0].PhysicalLocation.ArtifactLocation}
			for _, f := range r.Fixes {
				arts = append(arts, f.ArtifactChanges[0].ArtifactLocation)
			}
			for _, a := range arts {
				if a != (sarifFieldsArtifact{tc.uri, "%SRCROOT%"}) {
					t.Errorf("-C %s: %s artifact %+v, want %s from %%SRCROOT%%", tc.dir, r.RuleID, a, tc.uri)
				}
			}
		}
	}
}

// TestSARIFReview checks that a finding that needs review shows in code
// scanning, which knows only the levels note, warning and error: a
// warning, tagged and saying so in its message.
func TestSARIFReview(t *testing.T) {
	t.Parallel()
	doc := sarifOf(t, newModule(t, map[string]string{"ctrl/ctrl.go": mixed}))
	var review []sarifFieldsResult
	for _, r := range doc.Runs[0].Results {
		if r.Kind != "fail" || r.Level != "warning" {
			t.Errorf("%s %s: kind %q level %q, want fail and warning", r.RuleID, r.where(), r.Kind, r.Level)
		}
		if slices.Contains(r.Properties.Tags, "needs-review") {
			review = append(review, r)
		}
	}
	if len(review) != 1 || review[0].RuleID != "addratelimited" || len(review[0].Fixes) != 0 ||
		!strings.HasPrefix(review[0].Message.Text, "Needs review: c.queue.AddRateLimited in ctrl.(*C).enqueue is reached from an event handler and also from") {
		t.Errorf("want one addratelimited review result, tagged, without fix, its message saying it needs review; got %+v", review)
	}
}

// TestSARIFMultiEdit checks that a change with several edits in one file
// has one artifactChange for the file, holding every replacement:
// reviewdog keeps one artifactChange per path.
func TestSARIFMultiEdit(t *testing.T) {
	t.Parallel()
	sc := loadScenario(t, "../../testdata/scenarios/drop-after-retries.txtar")
	src := string(sc.ar.Files[0].Data)
	if sc.ar.Files[0].Name != "controller.go" {
		t.Fatalf("drop-after-retries.txtar starts with %s, want controller.go", sc.ar.Files[0].Name)
	}
	doc := sarifOf(t, newModule(t, map[string]string{"controller.go": src}))
	res := doc.Runs[0].Results
	if len(res) != 1 || len(res[0].Fixes) != 1 {
		t.Fatalf("want one result with one fix, got %+v", res)
	}
	changes := res[0].Fixes[0].ArtifactChanges
	var got []string
	for _, c := range changes {
		for _, r := range c.Replacements {
			got = append(got, fmt.Sprintf("%s:%d:%d %q", c.ArtifactLocation.URI, r.DeletedRegion.StartLine, r.DeletedRegion.StartColumn, r.InsertedContent.Text))
		}
	}
	want := []string{`controller.go:23:1 "\t\tc.queue.Forget(obj)\n"`, `controller.go:31:1 "\t\tc.queue.Forget(obj)\n"`}
	if len(changes) != 1 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%d artifactChanges with\n%s\nwant 1 with\n%s", len(changes), strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
