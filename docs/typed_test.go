package docs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTypedTable checks that docs/rules.md shows the typed work-queue map
// as rewrite/internal/typedapi generates it, row for row.
func TestTypedTable(t *testing.T) {
	table, err := os.ReadFile(filepath.Join("..", "rewrite", "internal", "typedapi", "testdata", "table.md"))
	if err != nil {
		t.Fatal(err)
	}
	rules, err := os.ReadFile(filepath.Join("..", "docs", "rules.md"))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSpace(string(table))
	if !strings.Contains(string(rules), "\n"+want+"\n") {
		t.Errorf("docs/rules.md does not hold the table of rewrite/internal/typedapi/testdata/table.md; copy it into the typed section:\n%s", want)
	}
}
