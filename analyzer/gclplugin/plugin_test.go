package gclplugin

import (
	"strings"
	"testing"

	"github.com/queuefix/queuefix/analyzer"
	"golang.org/x/tools/go/analysis"
)

func TestSettings(t *testing.T) {
	p, err := New(map[string]any{"disable": []any{"forget"}})
	if err != nil {
		t.Fatal(err)
	}
	as, _ := p.BuildAnalyzers()
	if len(as) != 2 || as[0].Name != "addratelimited" || as[1].Name != "done" {
		t.Errorf("disable forget left %v", as)
	}
	if _, err := New(map[string]any{"disable": []any{"nope"}}); err == nil || !strings.Contains(err.Error(), "no analyzer nope") {
		t.Errorf("unknown analyzer: err %v", err)
	}
	if _, err := New(map[string]any{"unknown": true}); err == nil {
		t.Error("an unknown setting is accepted")
	}
	p, err = New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if as, _ := p.BuildAnalyzers(); len(as) != 3 || as[0].Name != "addratelimited" || as[1].Name != "forget" || as[2].Name != "done" {
		t.Errorf("default analyzers: %v", as)
	}
}

// TestRelated checks that the frames of a handler path are dropped unless
// the related setting keeps them: golangci-lint prints each as an issue.
func TestRelated(t *testing.T) {
	report := func(pass *analysis.Pass) (any, error) {
		pass.Report(analysis.Diagnostic{Pos: 1, Message: "m", Related: []analysis.RelatedInformation{{Pos: 2, Message: "frame"}}})
		return nil, nil
	}
	a := &analysis.Analyzer{Name: "x", Doc: "x", Run: report}
	var got []analysis.Diagnostic
	pass := &analysis.Pass{Report: func(d analysis.Diagnostic) { got = append(got, d) }}
	if _, err := withoutRelated(a).Run(pass); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Message != "m" || got[0].Related != nil {
		t.Errorf("withoutRelated reported %+v, want m without related information", got)
	}

	for settings, want := range map[string]bool{"": false, "related": true} {
		cfg := map[string]any{}
		if settings != "" {
			cfg[settings] = true
		}
		p, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		as, _ := p.BuildAnalyzers()
		for i, a := range as {
			if kept := a == analyzer.Analyzers[i]; kept != want {
				t.Errorf("settings %v: analyzer %s is the original: %v, want %v", cfg, a.Name, kept, want)
			}
		}
	}
}
