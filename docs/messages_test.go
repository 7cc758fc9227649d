package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// unchecked lists the example messages in docs/rules.md that no scenario
// prints, by their first words. The list must match exactly, so a scenario
// that starts printing one, or an example that drifts from the scenarios,
// shows here.
var unchecked = []string{
	"q.AddRateLimited is inside ctrl.(*debounced).AddAfter",
	"c.queue.AddRateLimited is taken as a method value",
	"q.AddRateLimited is reached from an event handler, in vendor/",
	"cannot rewrite q.AddRateLimited: controller.go changed",
}

// TestRuleMessages checks the example messages in docs/rules.md's tables
// against the scenarios' expected output (testdata/scenarios) and the JSON
// example of docs/cli.md, which TestJSONExample checks against queuefix.
// "(...)" and "..." in an example stand for text left out.
func TestRuleMessages(t *testing.T) {
	corpus := scenarioText(t)
	cli, err := os.ReadFile(filepath.Join("..", "docs", "cli.md"))
	if err != nil {
		t.Fatal(err)
	}
	corpus += string(cli)
	rules, err := os.ReadFile(filepath.Join("..", "docs", "rules.md"))
	if err != nil {
		t.Fatal(err)
	}
	msgs := exampleMessages(string(rules))
	if len(msgs) < 15 {
		t.Fatalf("docs/rules.md: found %d example messages in its tables, want the review and keep tables' (20)", len(msgs))
	}
	var missing []string
	for _, m := range msgs {
		if !wildcard(m).MatchString(corpus) {
			missing = append(missing, m)
		}
	}
	for _, m := range missing {
		if !slices.ContainsFunc(unchecked, func(u string) bool { return strings.HasPrefix(m, u) }) {
			t.Errorf("docs/rules.md: no scenario prints\n\t%s", m)
		}
	}
	for _, u := range unchecked {
		if !slices.ContainsFunc(missing, func(m string) bool { return strings.HasPrefix(m, u) }) {
			t.Errorf("docs/rules.md: %q is listed as unchecked, but no longer missing from the scenarios (or no longer an example): update the list", u)
		}
	}
}

func scenarioText(t *testing.T) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "scenarios", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios under testdata/scenarios: %v", err)
	}
	var b strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	return b.String()
}

var tableMessage = regexp.MustCompile("^\\| [^|]+ \\| `([^`]+)` \\|")

// exampleMessages returns the messages quoted whole in the second column
// of md's tables.
func exampleMessages(md string) []string {
	var msgs []string
	for _, line := range strings.Split(md, "\n") {
		if m := tableMessage.FindStringSubmatch(line); m != nil {
			msgs = append(msgs, m[1])
		}
	}
	return msgs
}

// wildcard matches msg with "(...)" and "..." standing for any text on the
// same line.
func wildcard(msg string) *regexp.Regexp {
	var parts []string
	for _, p := range strings.Split(strings.ReplaceAll(msg, "(...)", "..."), "...") {
		parts = append(parts, regexp.QuoteMeta(p))
	}
	return regexp.MustCompile(strings.Join(parts, "[^\n]*"))
}
