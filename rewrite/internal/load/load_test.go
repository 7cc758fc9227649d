package load

import "testing"

func TestGoLineBefore114(t *testing.T) {
	for gomod, want := range map[string]bool{
		"module m\n\ngo 1.13\n":   true,
		"module m\n\ngo 1.14\n":   false,
		"module m\n\ngo 1.22.0\n": false,
		"module m\n":              true,
	} {
		if got := goLineBefore114(gomod); got != want {
			t.Errorf("goLineBefore114(%q) = %v, want %v", gomod, got, want)
		}
	}
}

func TestAbsPaths(t *testing.T) {
	got := absPaths("# example.com/x\n./b.go:3:12: undefined: x\nother", "/m")
	if want := "# example.com/x\n/m/b.go:3:12: undefined: x\nother"; got != want {
		t.Errorf("absPaths = %q, want %q", got, want)
	}
}
