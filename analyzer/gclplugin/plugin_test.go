package gclplugin

import (
	"strings"
	"testing"
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
