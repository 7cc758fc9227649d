package rewrite

import (
	"slices"
	"testing"
)

func TestParseRules(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []Rule
		err  bool
	}{
		{"typed", []Rule{RuleTyped}, false},
		{"forget, addratelimited", []Rule{RuleForget, RuleAddRateLimited}, false},
		{"forget,forget", []Rule{RuleForget}, false},
		{"bogus", nil, true},
		{"forget,", nil, true},
		{"", nil, true},
	} {
		got, err := ParseRules(tc.in)
		if (err != nil) != tc.err || !slices.Equal(got, tc.want) {
			t.Errorf("ParseRules(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

// TestRuns checks the selection: the default leaves typed out, and a
// list runs exactly what it names.
func TestRuns(t *testing.T) {
	for _, tc := range []struct {
		rules []Rule
		want  []Rule
	}{
		{nil, []Rule{RuleAddRateLimited, RuleForget, RuleDone, RuleIgnore}},
		{[]Rule{RuleTyped}, []Rule{RuleTyped}},
		{[]Rule{RuleForget, RuleTyped}, []Rule{RuleForget, RuleTyped}},
	} {
		var got []Rule
		for _, r := range Rules {
			if (Options{Rules: tc.rules}).runs(r.Name) {
				got = append(got, r.Name)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Options{Rules: %v} runs %v, want %v", tc.rules, got, tc.want)
		}
	}
}
