// Package gclplugin is queuefix as a golangci-lint v2 module plugin. List
// it in .custom-gcl.yml (module github.com/queuefix/queuefix, import this
// package; gclplugin/.custom-gcl.yml is an example) and enable the linter
// "queuefix" in .golangci.yml; golangci-lint run --fix applies its
// suggested fixes. It lives in queuefix's own module and depends only on
// plugin-module-register, so that adding it to golangci-lint raises none
// of golangci-lint's dependencies; the binary with golangci-lint linked in
// is the module github.com/queuefix/queuefix/gclplugin.
package gclplugin

import (
	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/queuefix/queuefix/analyzer"
)

func init() {
	register.Plugin("queuefix", New)
}

// Settings are the plugin's settings in .golangci.yml
// (linters.settings.custom.queuefix.settings).
type Settings struct {
	// Disable names analyzers not to run: addratelimited, forget, done.
	Disable []string `json:"disable"`
	// Related keeps each frame of a handler path as related information,
	// which golangci-lint prints as an issue of its own; the message
	// already names the path, so by default the frames are dropped.
	Related bool `json:"related"`
}

type plugin struct {
	settings Settings
}

// New decodes the settings strictly: an unknown key is an error.
func New(settings any) (register.LinterPlugin, error) {
	s, err := register.DecodeSettings[Settings](settings)
	if err != nil {
		return nil, err
	}
	for _, name := range s.Disable {
		if find(name) == nil {
			return nil, &unknownAnalyzer{name}
		}
	}
	return &plugin{settings: s}, nil
}

func (p *plugin) BuildAnalyzers() ([]*analysis.Analyzer, error) {
	var out []*analysis.Analyzer
	for _, a := range analyzer.Analyzers {
		switch {
		case p.disabled(a.Name):
		case p.settings.Related:
			out = append(out, a)
		default:
			out = append(out, withoutRelated(a))
		}
	}
	return out, nil
}

// GetLoadMode asks for type information: the rules match the work-queue
// APIs by type identity.
func (p *plugin) GetLoadMode() string { return register.LoadModeTypesInfo }

// withoutRelated returns a copy of a whose diagnostics carry no related
// information.
func withoutRelated(a *analysis.Analyzer) *analysis.Analyzer {
	c := *a
	c.Run = func(pass *analysis.Pass) (any, error) {
		p := *pass
		p.Report = func(d analysis.Diagnostic) {
			d.Related = nil
			pass.Report(d)
		}
		return a.Run(&p)
	}
	return &c
}

func (p *plugin) disabled(name string) bool {
	for _, d := range p.settings.Disable {
		if d == name {
			return true
		}
	}
	return false
}

func find(name string) *analysis.Analyzer {
	for _, a := range analyzer.Analyzers {
		if a.Name == name {
			return a
		}
	}
	return nil
}

type unknownAnalyzer struct{ name string }

func (e *unknownAnalyzer) Error() string {
	return "queuefix: settings.disable: no analyzer " + e.name + "; the analyzers are " + names()
}

func names() string {
	s := ""
	for i, a := range analyzer.Analyzers {
		if i > 0 {
			s += ", "
		}
		s += a.Name
	}
	return s
}
