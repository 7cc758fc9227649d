package rewrite

import "github.com/queuefix/queuefix/rewrite/internal/walk"

// scan scans the index's files once for what the forget and done rules
// share: the workers, the queues that receive AddRateLimited and the
// indexes the worker walk consults (internal/walk). Neither rule writes
// it, so both read it at once.
func (a *index) scan() *walk.Scan {
	files := make([]*walk.File, 0, len(a.files))
	for _, name := range a.sortedFiles() {
		fi := a.files[name]
		files = append(files, &walk.File{Pkg: fi.pkg, Syntax: fi.syntax, Name: fi.name, Source: fi.source})
	}
	return walk.NewScan(a.fset, files)
}
