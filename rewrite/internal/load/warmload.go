package load

import (
	"context"
	"go/types"
	"strings"

	"golang.org/x/tools/go/packages"
)

// warmWhy is why a run with a warm stamp loads with export data.
const warmWhy = "no file of the module and no go env setting changed since its last export load, so the dependencies are in the build cache, and so are the target packages"

// savedWhy is why a run loads from the saved listing.
const savedWhy = "the listing of the last export load, nothing changed since"

// warm is the export load of a run whose stamp holds. It loads from the
// listing the last such load saved, without go list, if the listing
// still stands for go list's answer (listsave.go); otherwise it lists as
// go/packages does, loads from that, and saves the listing. Anything an
// expLoad does not do as go/packages would (errors, cgo targets) makes
// go/packages load instead, so the output never differs.
func (req loadReq) warm(stamp warmStamp, parse parseFunc) ([]*packages.Package, []Error, Info, error) {
	if !req.ownExportLoad() {
		return req.packagesLoad(parse, "")
	}
	if strings.Contains(stamp.goenv["GOFLAGS"], "-compiler") {
		return req.packagesLoad(parse, "GOFLAGS names a compiler")
	}
	sizes := types.SizesFor("gc", stamp.goenv["GOARCH"]) // what go/packages asks go list for
	if sizes == nil {
		return req.packagesLoad(parse, "no sizes for GOARCH "+stamp.goenv["GOARCH"])
	}
	l, stale := stamp.savedListing()
	if l != nil {
		req.opts.progress("loading with the saved listing")
		pkgs, err := req.loadListing(l, sizes, parse)
		if err == nil {
			return pkgs, nil, Info{Mode: Export, Why: savedWhy}, nil
		}
		return req.packagesLoad(parse, "the saved listing: "+err.Error())
	}
	req.opts.progress("listing packages with export data")
	l, out, err := req.exportList()
	if err != nil {
		return req.packagesLoad(parse, err.Error())
	}
	// Saved even if it cannot be loaded: the next run then pays for
	// one go list, go/packages', instead of two.
	kept := "the listing is kept for the next run"
	if why := stamp.saveListing(l, out); why != "" {
		kept = "the listing is not kept: " + why
	}
	pkgs, err := req.loadListing(l, sizes, parse)
	if err != nil {
		return req.packagesLoad(parse, err.Error())
	}
	return pkgs, nil, Info{Mode: Export, Why: warmWhy + " (" + stale + "); " + kept}, nil
}

// ownExportLoad reports whether an expLoad can stand for go/packages
// here: go/packages runs go list itself (no GOPACKAGESDRIVER), and every
// pattern is a package pattern, not a file or a query.
func (req loadReq) ownExportLoad() bool {
	if d := envValue(req.env, "GOPACKAGESDRIVER"); d != "" && d != "off" {
		return false
	}
	for _, p := range req.patterns {
		if strings.Contains(p, "=") || strings.HasSuffix(p, ".go") {
			return false
		}
	}
	return true
}

// loadListing type-checks the listing's targets with export data for
// the rest.
func (req loadReq) loadListing(l *listing, sizes types.Sizes, parse parseFunc) ([]*packages.Package, error) {
	s, err := newExpLoad(l, req.fset, sizes, parse)
	if err != nil {
		return nil, err
	}
	return s.load()
}

// packagesLoad is go/packages' export load, the way every warm run
// loaded before the listing was saved; why says why it runs.
func (req loadReq) packagesLoad(parse parseFunc, why string) ([]*packages.Package, []Error, Info, error) {
	good, bad, err := req.export(context.Background(), parse)
	info := Info{Mode: Export, Why: warmWhy}
	if why != "" {
		info.Why += "; go/packages loaded: " + why
	}
	return good, bad, info, err
}
