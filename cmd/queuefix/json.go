package main

import (
	"encoding/json"
	"go/token"
	"path/filepath"

	"github.com/queuefix/queuefix/internal/version"
	"github.com/queuefix/queuefix/rewrite"
)

// The -json output. Its shape is documented in docs/cli.md; keep them in step.
type jsonOutput struct {
	Version  string        `json:"version"` // queuefix's, not the format's
	Findings []jsonFinding `json:"findings"`
	Files    []jsonFile    `json:"files"`
	Errors   []jsonError   `json:"errors"`
}

type jsonPos struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

type jsonFinding struct {
	jsonPos
	Rule    string      `json:"rule"`
	Status  string      `json:"status"`
	Message string      `json:"message"`
	Fix     string      `json:"fix"`
	Chains  []jsonChain `json:"chains"`
	Edits   []jsonEdit  `json:"edits"`
}

type jsonChain struct {
	Kind   string      `json:"kind"`
	Frames []jsonFrame `json:"frames"`
}

type jsonFrame struct {
	Func string `json:"func"`
	jsonPos
}

type jsonEdit struct {
	File   string `json:"file"`
	Offset int    `json:"offset"`
	End    int    `json:"end"`
	New    string `json:"new"`
}

type jsonFile struct {
	File string `json:"file"`
	Diff string `json:"diff"`
}

type jsonError struct {
	Package string   `json:"package"`
	Errors  []string `json:"errors"`
}

func (p *printer) printJSON() {
	out := jsonOutput{Version: version.String(), Findings: []jsonFinding{}, Files: []jsonFile{}, Errors: []jsonError{}}
	for _, f := range p.res.Findings {
		out.Findings = append(out.Findings, p.jsonFinding(f))
	}
	for _, f := range p.res.Files {
		rel := filepath.ToSlash(p.rel(f.Path))
		out.Files = append(out.Files, jsonFile{File: rel, Diff: string(f.Diff(rel))})
	}
	for _, e := range p.loadErrors() {
		out.Errors = append(out.Errors, jsonError{Package: e.Package, Errors: e.Errors})
	}
	enc := json.NewEncoder(p.stdout)
	enc.SetIndent("", "\t")
	enc.Encode(out)
}

func (p *printer) jsonFinding(f rewrite.Finding) jsonFinding {
	jf := jsonFinding{
		jsonPos: p.jsonPos(f.Pos),
		Rule:    string(f.Rule),
		Status:  f.Status.String(),
		Message: f.Text(p.rel),
		Fix:     f.Fix,
		Chains:  []jsonChain{},
		Edits:   []jsonEdit{},
	}
	for _, c := range f.Chains {
		jc := jsonChain{Kind: string(c.Kind), Frames: []jsonFrame{}}
		for _, fr := range c.Frames {
			jc.Frames = append(jc.Frames, jsonFrame{Func: fr.Func, jsonPos: p.jsonPos(fr.Pos)})
		}
		jf.Chains = append(jf.Chains, jc)
	}
	for _, e := range f.Edits {
		jf.Edits = append(jf.Edits, jsonEdit{File: filepath.ToSlash(p.rel(e.File)), Offset: e.Offset, End: e.End, New: e.New})
	}
	return jf
}

func (p *printer) jsonPos(pos token.Position) jsonPos {
	return jsonPos{File: filepath.ToSlash(p.rel(pos.Filename)), Line: pos.Line, Column: pos.Column}
}
