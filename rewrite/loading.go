package rewrite

import "github.com/queuefix/queuefix/rewrite/internal/load"

// A LoadMode says where the types of the dependencies come from.
type LoadMode = load.Mode

const (
	// LoadAuto loads from source when the build cache lacks the
	// dependencies' export data, and from export data otherwise.
	LoadAuto = load.Auto
	// LoadSource type-checks the dependencies from source and never
	// compiles anything.
	LoadSource = load.Source
	// LoadExport reads export data, which go list -export compiles first
	// for every dependency not in the build cache (as go vet does).
	LoadExport = load.Export
)

// ParseLoadMode parses auto, source or export.
func ParseLoadMode(s string) (LoadMode, error) { return load.ParseMode(s) }

// A LoadInfo says how a run loaded its packages and why.
type LoadInfo = load.Info

// A LoadError is a package that could not be loaded or type-checked.
// Its files are never edited.
type LoadError = load.Error
