// Package mutant holds switches that break one judgement of the engine on
// purpose, so that the generated-controller harness (rewrite/internal/gen)
// can show that it notices the judgement missing. They are off unless a
// test of the harness turns one on; nothing else sets them.
package mutant

// Stores replaces the escape judgement of stores of the item (the data
// flow of rewrite/internal/walk/stores.go) when not "":
//
//   - "never": a store never lets the item escape (the check dropped);
//   - "syntax": every store does, whether or not anything reads it back.
//
// A test sets it before it runs the engine and clears it after, never
// while the engine runs.
var Stores string
