package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/queuefix/queuefix/internal/version"
	"github.com/queuefix/queuefix/rewrite"
)

// SARIF 2.1.0, the subset GitHub code scanning reads: one result per
// finding, chains as code flows, planned edits as fixes.
type sarifLog struct {
	Version string     `json:"version"`
	Schema  string     `json:"$schema"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool              sarifTool       `json:"tool"`
	AutomationDetails sarifAutomation `json:"automationDetails"`
	Results           []sarifResult   `json:"results"`
}

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
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Kind                string             `json:"kind"`
	Level               string             `json:"level"`
	Message             sarifMessage       `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	PartialFingerprints map[string]string  `json:"partialFingerprints,omitempty"`
	CodeFlows           []sarifCodeFlow    `json:"codeFlows,omitempty"`
	Fixes               []sarifFix         `json:"fixes,omitempty"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
	Message          *sarifMessage `json:"message,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
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

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification"`
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
	if p.c.modules {
		for _, r := range p.runs {
			runs = append(runs, p.sarifRun(r.res, p.rel(r.dir)))
		}
	} else {
		runs = append(runs, p.sarifRun(p.res, "."))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.Encode(sarifLog{Version: "2.1.0", Schema: "https://json.schemastore.org/sarif-2.1.0.json", Runs: runs})
	p.stdout.Write(buf.Bytes())
}

// sarifRun describes one module's result; dir is the module's directory
// relative to the working directory.
func (p *printer) sarifRun(res *rewrite.Result, dir string) sarifRun {
	version, semver := toolVersion()
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:            "queuefix",
			InformationURI:  "https://github.com/queuefix/queuefix",
			Version:         version,
			SemanticVersion: semver,
			Rules:           sarifRules(),
		}},
		AutomationDetails: sarifAutomation{ID: automationID(dir)},
		Results:           []sarifResult{},
	}
	fp := newFingerprinter()
	for _, f := range res.Findings {
		if f.Status == rewrite.Keep {
			continue // correct code: nothing to show
		}
		r := p.sarifResult(f)
		r.PartialFingerprints = map[string]string{fingerprintKey: fp.of(f, r.Locations[0].PhysicalLocation.ArtifactLocation.URI)}
		run.Results = append(run.Results, r)
	}
	return run
}

// automationID is the run's category: queuefix/ for the working directory,
// queuefix/<dir>/ for a module below it.
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

func (p *printer) sarifResult(f rewrite.Finding) sarifResult {
	r := sarifResult{
		RuleID:    string(f.Rule),
		RuleIndex: ruleIndex(f.Rule),
		Kind:      "fail",
		Level:     "warning",
		Message:   sarifMessage{p.relText(f.Message)},
		Locations: []sarifLocation{p.sarifLocation(f.Pos.Filename, f.Pos.Line, f.Pos.Column, "")},
	}
	switch f.Status {
	case rewrite.Review:
		// SARIF 2.1.0 §3.27.10: a result whose kind is not fail has level none.
		r.Kind, r.Level = "review", "none"
	case rewrite.Ignored:
		r.Suppressions = []sarifSuppression{{Kind: "inSource", Justification: f.Message}}
	}
	for _, c := range f.Chains {
		r.CodeFlows = append(r.CodeFlows, p.sarifFlow(c))
	}
	if fix, ok := p.sarifFix(f); ok {
		r.Fixes = []sarifFix{fix}
	}
	return r
}

func (p *printer) sarifLocation(file string, line, col int, msg string) sarifLocation {
	loc := sarifLocation{PhysicalLocation: sarifPhysical{
		ArtifactLocation: sarifArtifact{URI: filepath.ToSlash(p.rel(file))},
		Region:           sarifRegion{StartLine: line, StartColumn: col},
	}}
	if msg != "" {
		loc.Message = &sarifMessage{msg}
	}
	return loc
}

func (p *printer) sarifFlow(c rewrite.Chain) sarifCodeFlow {
	flow := sarifCodeFlow{Message: sarifMessage{string(c.Kind) + " path"}}
	var tf sarifThreadFlow
	for _, fr := range c.Frames {
		tf.Locations = append(tf.Locations, sarifFlowLocation{p.sarifLocation(fr.Pos.Filename, fr.Pos.Line, fr.Pos.Column, fr.Func)})
	}
	flow.ThreadFlows = []sarifThreadFlow{tf}
	return flow
}

// sarifFix turns a change's edits into replacements, with line and column
// regions computed from the file's original bytes.
func (p *printer) sarifFix(f rewrite.Finding) (sarifFix, bool) {
	if f.Status != rewrite.Change || len(f.Edits) == 0 {
		return sarifFix{}, false
	}
	fix := sarifFix{Description: sarifMessage{p.relText(f.Message)}}
	for _, e := range f.Edits {
		src := p.original(e.File)
		if src == nil {
			return sarifFix{}, false
		}
		sl, sc := lineCol(src, e.Offset)
		el, ec := lineCol(src, e.End)
		fix.ArtifactChanges = append(fix.ArtifactChanges, sarifArtifactChange{
			ArtifactLocation: sarifArtifact{URI: filepath.ToSlash(p.rel(e.File))},
			Replacements: []sarifReplacement{{
				DeletedRegion:   sarifRegion{StartLine: sl, StartColumn: sc, EndLine: el, EndColumn: ec},
				InsertedContent: sarifMessage{e.New},
			}},
		})
	}
	return fix, true
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
