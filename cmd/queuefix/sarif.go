package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"

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
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string       `json:"id"`
	ShortDescription sarifMessage `json:"shortDescription"`
	Help             sarifMessage `json:"help"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID       string             `json:"ruleId"`
	Kind         string             `json:"kind"`
	Level        string             `json:"level"`
	Message      sarifMessage       `json:"message"`
	Locations    []sarifLocation    `json:"locations"`
	CodeFlows    []sarifCodeFlow    `json:"codeFlows,omitempty"`
	Fixes        []sarifFix         `json:"fixes,omitempty"`
	Suppressions []sarifSuppression `json:"suppressions,omitempty"`
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

// sarifRules describes the rules from the engine's table.
func sarifRules() []sarifRule {
	var out []sarifRule
	for _, r := range rewrite.Rules {
		out = append(out, sarifRule{ID: string(r.Name), ShortDescription: sarifMessage{r.Summary}, Help: sarifMessage{r.Help}})
	}
	return out
}

func (p *printer) printSARIF() {
	run := sarifRun{
		Tool:    sarifTool{Driver: sarifDriver{Name: "queuefix", InformationURI: "https://github.com/queuefix/queuefix", Rules: sarifRules()}},
		Results: []sarifResult{},
	}
	for _, f := range p.res.Findings {
		if f.Status == rewrite.Keep {
			continue // correct code: nothing to show
		}
		run.Results = append(run.Results, p.sarifResult(f))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.Encode(sarifLog{Version: "2.1.0", Schema: "https://json.schemastore.org/sarif-2.1.0.json", Runs: []sarifRun{run}})
	p.stdout.Write(buf.Bytes())
}

func (p *printer) sarifResult(f rewrite.Finding) sarifResult {
	r := sarifResult{
		RuleID:    string(f.Rule),
		Kind:      "fail",
		Level:     "warning",
		Message:   sarifMessage{p.relText(f.Message)},
		Locations: []sarifLocation{p.sarifLocation(f.Pos.Filename, f.Pos.Line, f.Pos.Column, "")},
	}
	switch f.Status {
	case rewrite.Review:
		r.Kind = "review"
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
