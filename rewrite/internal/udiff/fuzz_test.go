package udiff

import (
	"bytes"
	"strings"
	"testing"
)

func FuzzUnified(f *testing.F) {
	for _, tc := range tableCases {
		f.Add([]byte(tc.old), []byte(tc.new), uint8(tc.context()))
	}
	f.Add([]byte("a\nb\n\n}\n\n}\n"), []byte("a\n\n}\nb\n\n}\n"), uint8(1))
	f.Add([]byte("x\r\ny\rz\n\xff\n"), []byte("x\r\ny\n\xff"), uint8(2))
	f.Add([]byte("\n\n\n"), []byte("\n"), uint8(0))
	f.Fuzz(func(t *testing.T, old, new []byte, ctx uint8) {
		c := int(ctx % 6)
		diff := UnifiedContext("f.txt", old, new, c)
		if bytes.Equal(old, new) {
			if diff != nil {
				t.Fatalf("old == new %q: got diff %q, want nil", old, diff)
			}
			return
		}
		if err := checkDiff(old, new, diff, c); err != nil {
			t.Fatalf("old %q\nnew %q\nctx %d\ndiff:\n%s\n%v", old, new, c, diff, err)
		}
		if c == DefaultContext && !bytes.Equal(diff, Unified("f.txt", old, new)) {
			t.Fatalf("Unified and UnifiedContext(3) differ for old %q new %q", old, new)
		}
	})
}

// TestApplierRejects makes sure the strict applier used by the fuzz target
// and the git cross-check catches the mistakes it exists to catch.
func TestApplierRejects(t *testing.T) {
	old, new := []byte(nine), []byte(swap(nine, "e", "E"))
	good := string(Unified("f.txt", old, new))
	bad := map[string]string{
		"wrong old start":  replaceOnce(good, "@@ -2,7", "@@ -3,7"),
		"wrong new start":  replaceOnce(good, "+2,7 @@", "+1,7 @@"),
		"wrong count":      replaceOnce(good, "+2,7 @@", "+2,8 @@"),
		"explicit ,1":      hdr + "@@ -1,1 +1,1 @@\n-a\n+A\n",
		"bad context":      replaceOnce(good, " d\n", " D\n"),
		"stray marker":     replaceOnce(good, " d\n", " d\n"+noNewline),
		"missing header":   good[len("diff --git a/f.txt b/f.txt\n"):],
		"garbage body":     good + "?\n",
		"unterminated end": good[:len(good)-1],
	}
	for name, diff := range bad {
		if err := checkDiff(old, new, []byte(diff), DefaultContext); err == nil {
			t.Errorf("%s: checkDiff accepted:\n%s", name, diff)
		}
	}
	if err := checkDiff(old, new, []byte(good), DefaultContext); err != nil {
		t.Errorf("checkDiff rejected our own diff:\n%s\n%v", good, err)
	}
	if err := checkDiff(old, new, UnifiedContext("f.txt", old, new, 1), DefaultContext); err == nil {
		t.Errorf("checkDiff accepted a diff with 1 line of context as 3")
	}
}

func replaceOnce(s, old, repl string) string {
	return strings.Replace(s, old, repl, 1)
}
