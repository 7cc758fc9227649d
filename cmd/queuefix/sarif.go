package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/token"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/queuefix/queuefix/internal/version"
	"github.com/queuefix/queuefix/rewrite"
)

// SARIF 2.1.0, the subset GitHub code scanning reads: one result per
// finding that needs a change or a review, chains as code flows, planned
// edits as fixes. Paths are relative to the repository root, which code
// scanning wants whatever directory queuefix ran in.
type sarifLog struct {
	Version string     `json:"version"`
	Schema  string     `json:"$schema"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                `json:"tool"`
	AutomationDetails  sarifAutomation          `json:"automationDetails"`
	OriginalURIBaseIDs map[string]sarifArtifact `json:"originalUriBaseIds"`
	Results            []sarifResult            `json:"results"`
}

// srcRoot names the repository root in originalUriBaseIds.
const srcRoot = "%SRCROOT%"

// sarifAutomation names the run: code scanning takes its id as the
// category, so each module's run stands on its own in one upload.
type sarifAutomation struct {
	ID string `json:"id"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name            string      `json:"name"`
	InformationURI  string      `json:"informationUri"`
	Version         string      `json:"version,omitempty"`
	SemanticVersion string      `json:"semanticVersion,omitempty"`
	Rules           []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifMessage   `json:"shortDescription"`
	FullDescription      sarifMessage   `json:"fullDescription"`
	Help                 sarifMultiText `json:"help"`
	HelpURI              string         `json:"helpUri"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           sarifRuleProps `json:"properties"`
}

// sarifRuleProps are the rule properties code scanning reads: tags to
// filter by, and precision and problem.severity to rank the results.
type sarifRuleProps struct {
	Tags            []string `json:"tags"`
	Precision       string   `json:"precision"`
	ProblemSeverity string   `json:"problem.severity"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

// sarifMultiText is a multiformatMessageString: code scanning shows the
// markdown and falls back to the text.
type sarifMultiText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Kind                string            `json:"kind"`
	Level               string            `json:"level"`
	Message             sarifMessage      `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
	CodeFlows           []sarifCodeFlow   `json:"codeFlows,omitempty"`
	Fixes               []sarifFix        `json:"fixes,omitempty"`
	Properties          *sarifResultProps `json:"properties,omitempty"`
}

// sarifResultProps marks a finding that needs review.
type sarifResultProps struct {
	Tags []string `json:"tags"`
}

// needsReview tags the results a human must decide; code scanning shows
// them as warnings like the changes, and their message says so too.
const needsReview = "needs-review"

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
	Message          *sarifMessage `json:"message,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

type sarifCodeFlow struct {
	Message     sarifMessage      `json:"message"`
	ThreadFlows []sarifThreadFlow `json:"threadFlows"`
}

type sarifThreadFlow struct {
	Locations []sarifFlowLocation `json:"locations"`
}

type sarifFlowLocation struct {
	Location sarifLocation `json:"location"`
}

type sarifFix struct {
	Description     sarifMessage          `json:"description"`
	ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
}

type sarifArtifactChange struct {
	ArtifactLocation sarifArtifact      `json:"artifactLocation"`
	Replacements     []sarifReplacement `json:"replacements"`
}

type sarifReplacement struct {
	DeletedRegion   sarifRegion  `json:"deletedRegion"`
	InsertedContent sarifMessage `json:"insertedContent"`
}

// sarifRules describes the rules from the engine's table: code scanning
// requires fullDescription and help on each.
func sarifRules() []sarifRule {
	var out []sarifRule
	for _, r := range rewrite.Rules {
		out = append(out, sarifRule{
			ID:                   string(r.Name),
			Name:                 ruleName(r.Name),
			ShortDescription:     sarifMessage{r.Summary},
			FullDescription:      sarifMessage{r.Description},
			Help:                 sarifMultiText{Text: r.Help, Markdown: ruleMarkdown(r)},
			HelpURI:              r.URL,
			DefaultConfiguration: sarifConfig{Level: "warning"},
			Properties:           sarifRuleProps{Tags: []string{"reliability", "kubernetes", "client-go"}, Precision: "high", ProblemSeverity: "warning"},
		})
	}
	return out
}

// ruleName spells a rule's id as SARIF's PascalCase name: forget -> Forget.
func ruleName(r rewrite.Rule) string {
	s := string(r)
	return strings.ToUpper(s[:1]) + s[1:]
}

func ruleMarkdown(r rewrite.RuleInfo) string {
	return fmt.Sprintf("**%s**\n\n%s\n\n%s\n\nFix every site of a module at once with `queuefix -diff ./...` (or `-w`). [Documentation](%s)",
		r.Summary, r.Description, r.Help, r.URL)
}

func ruleIndex(r rewrite.Rule) int {
	for i, info := range rewrite.Rules {
		if info.Name == r {
			return i
		}
	}
	return -1
}

// printSARIF prints one run per module: each run's automationDetails.id
// is its own category, so one upload can carry several modules.
func (p *printer) printSARIF() {
	runs := []sarifRun{}
	root := repoRoot(p.dir)
	if p.c.modules {
		for _, r := range p.runs {
			runs = append(runs, p.sarifRun(r.res, root, r.dir))
		}
	} else {
		runs = append(runs, p.sarifRun(p.res, root, p.dir))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.Encode(sarifLog{Version: "2.1.0", Schema: "https://json.schemastore.org/sarif-2.1.0.json", Runs: runs})
	p.stdout.Write(buf.Bytes())
}

// sarifRun describes the result of one module, in dir.
func (p *printer) sarifRun(res *rewrite.Result, root, dir string) sarifRun {
	version, semver := toolVersion()
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:            "queuefix",
			InformationURI:  "https://github.com/queuefix/queuefix",
			Version:         version,
			SemanticVersion: semver,
			Rules:           sarifRules(),
		}},
		AutomationDetails:  sarifAutomation{ID: automationID(relTo(root, dir))},
		OriginalURIBaseIDs: map[string]sarifArtifact{srcRoot: {URI: strings.TrimSuffix(fileURI(root), "/") + "/"}},
		Results:            []sarifResult{},
	}
	s := &sarifSites{p: p, root: root, fp: newFingerprinter()}
	for _, f := range res.Findings {
		if f.Status == rewrite.Keep {
			continue // correct code: nothing to show
		}
		// Count an ignored site, so that ignoring one of two twin sites
		// leaves the other's fingerprint as it was.
		fingerprint := s.fp.of(f, s.artifact(f.Pos.Filename).URI)
		if f.Status == rewrite.Ignored {
			continue // code scanning ignores suppressions: it would be an open alert
		}
		r := s.result(f)
		r.PartialFingerprints = map[string]string{fingerprintKey: fingerprint}
		run.Results = append(run.Results, r)
	}
	return run
}

// automationID is the run's category: queuefix/ for the repository root,
// queuefix/<dir>/ for a directory below it.
func automationID(dir string) string {
	dir = filepath.ToSlash(dir)
	if dir == "." || dir == "" {
		return "queuefix/"
	}
	return "queuefix/" + strings.Trim(dir, "/") + "/"
}

// toolVersion returns queuefix's version (-version's) and the same as a
// semantic version without the v, empty for a development build.
func toolVersion() (string, string) {
	v := version.String()
	_, sem := versionOf(v)
	return v, sem
}

func versionOf(v string) (string, string) {
	sem := version.Semantic(v)
	if sem == "" {
		return "", "" // "(devel)", no version at all, or a shorthand (v0)
	}
	return v, sem
}

// sarifSites writes the results of one run.
type sarifSites struct {
	p    *printer
	root string // absolute; URIs are relative to it
	fp   *fingerprinter
}

func (s *sarifSites) result(f rewrite.Finding) sarifResult {
	msg := f.Text(s.rel)
	r := sarifResult{
		RuleID:    string(f.Rule),
		RuleIndex: ruleIndex(f.Rule),
		Kind:      "fail",
		Level:     "warning",
		Locations: []sarifLocation{s.siteLocation(f.Pos)},
	}
	if f.Status == rewrite.Review {
		// Code scanning shows only the levels note, warning and error and
		// ignores kind, so kind review (whose level must be none) would
		// hide the findings a human has to decide.
		msg = "Needs review: " + msg
		r.Properties = &sarifResultProps{Tags: []string{needsReview}}
	}
	r.Message = sarifMessage{msg}
	for _, c := range f.Chains {
		r.CodeFlows = append(r.CodeFlows, s.flow(c))
	}
	if fix, ok := s.fix(f); ok {
		r.Fixes = []sarifFix{fix}
	}
	return r
}

// siteLocation is a finding's location: its region runs to the end of the
// call or statement there, as code scanning requires.
func (s *sarifSites) siteLocation(pos token.Position) sarifLocation {
	loc := s.location(pos.Filename, pos.Line, pos.Column, "")
	if line, col, ok := s.fp.end(pos); ok {
		loc.PhysicalLocation.Region.EndLine, loc.PhysicalLocation.Region.EndColumn = line, col
	}
	return loc
}

func (s *sarifSites) location(file string, line, col int, msg string) sarifLocation {
	loc := sarifLocation{PhysicalLocation: sarifPhysical{
		ArtifactLocation: s.artifact(file),
		Region:           sarifRegion{StartLine: line, StartColumn: col},
	}}
	if msg != "" {
		loc.Message = &sarifMessage{msg}
	}
	return loc
}

// artifact names a file relative to the repository root, or by its
// absolute URI when it lies outside.
func (s *sarifSites) artifact(file string) sarifArtifact {
	rel, err := filepath.Rel(s.root, file)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return sarifArtifact{URI: fileURI(file)}
	}
	return sarifArtifact{URI: filepath.ToSlash(rel), URIBaseID: srcRoot}
}

// rel spells a file a message names as its artifact's URI does: relative
// to the repository root, or absolute when it lies outside.
func (s *sarifSites) rel(file string) string {
	if a := s.artifact(file); a.URIBaseID != "" {
		return a.URI
	}
	return file
}

func (s *sarifSites) flow(c rewrite.Chain) sarifCodeFlow {
	flow := sarifCodeFlow{Message: sarifMessage{string(c.Kind) + " path"}}
	var tf sarifThreadFlow
	for _, fr := range c.Frames {
		tf.Locations = append(tf.Locations, sarifFlowLocation{s.location(fr.Pos.Filename, fr.Pos.Line, fr.Pos.Column, fr.Func)})
	}
	flow.ThreadFlows = []sarifThreadFlow{tf}
	return flow
}

// fix turns a change's edits into replacements, with line and column
// regions computed from the file's original bytes: one artifactChange per
// file, holding all of its replacements in order, since reviewdog keeps
// only one artifactChange per path.
func (s *sarifSites) fix(f rewrite.Finding) (sarifFix, bool) {
	if f.Status != rewrite.Change || len(f.Edits) == 0 {
		return sarifFix{}, false
	}
	fix := sarifFix{Description: sarifMessage{f.Text(s.rel)}}
	edits := slices.Clone(f.Edits)
	slices.SortStableFunc(edits, func(a, b rewrite.Edit) int { return a.Offset - b.Offset })
	at := map[string]int{} // file -> index in fix.ArtifactChanges
	for _, e := range edits {
		src := s.p.original(e.File)
		if src == nil {
			return sarifFix{}, false
		}
		i, ok := at[e.File]
		if !ok {
			i = len(fix.ArtifactChanges)
			at[e.File] = i
			fix.ArtifactChanges = append(fix.ArtifactChanges, sarifArtifactChange{ArtifactLocation: s.artifact(e.File)})
		}
		sl, sc := lineCol(src, e.Offset)
		el, ec := lineCol(src, e.End)
		fix.ArtifactChanges[i].Replacements = append(fix.ArtifactChanges[i].Replacements, sarifReplacement{
			DeletedRegion:   sarifRegion{StartLine: sl, StartColumn: sc, EndLine: el, EndColumn: ec},
			InsertedContent: sarifMessage{e.New},
		})
	}
	return fix, true
}

// repoRoot returns the root of the git repository holding dir (the
// directory with .git, which is a file in a worktree or submodule), or dir
// itself outside a repository.
func repoRoot(dir string) string {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

// relTo returns path relative to root, slash-separated.
func relTo(root, path string) string {
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return path
	}
	return filepath.ToSlash(rel)
}

// fileURI returns the file: URI of an absolute path.
func fileURI(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive: file:///C:/...
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// original returns the loaded bytes of a changed file.
func (p *printer) original(path string) []byte {
	for _, f := range p.res.Files {
		if f.Path == path {
			return f.Old
		}
	}
	return nil
}

// lineCol returns the 1-based line and byte column of offset in src.
func lineCol(src []byte, offset int) (int, int) {
	line, col := 1, 1
	for _, c := range src[:offset] {
		col++
		if c == '\n' {
			line, col = line+1, 1
		}
	}
	return line, col
}
