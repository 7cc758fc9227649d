package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/queuefix/queuefix/rewrite"
)

const typedIntro = `client-go v0.31 deprecated the untyped work queue (` + "`RateLimitingInterface`" + `, ` +
	"`NewNamedRateLimitingQueue`" + `, ` + "`DefaultControllerRateLimiter`" + ` and their kin) in favour of generic twins that ` +
	`take the item type. This change, made by [queuefix](https://github.com/queuefix/queuefix) with ` + "`-rule typed`" + `, ` +
	`moves each package's queues to the typed API with the item type its data flow shows, keeps queue names (the metrics ` +
	`use them) and never changes which queue method is called; each edited package was type-checked after the edit.`

const reportIntro = `Informer event handlers in this code put keys on a client-go work queue with ` +
	"`AddRateLimited`" + `, which counts every event as a failure of the key, and the workers never call ` +
	"`Forget`" + ` when a key syncs, so events wait behind a 10 qps token bucket and exponential backoff and the ` +
	`rate limiter keeps one entry per key forever (latency of minutes, memory growth until the pod is OOM-killed). ` +
	`This change, made by [queuefix](https://github.com/queuefix/queuefix), uses ` + "`Add`" + ` where a handler ` +
	`reacts to a change and ` + "`Forget`" + ` where a worker succeeded; retries keep ` + "`AddRateLimited`" + `.`

// writeReport writes the Markdown report -report asks for: meant to be
// pasted as a pull request description, so a reviewer of a bulk migration
// can approve from it.
func (p *printer) writeReport() {
	var b bytes.Buffer
	if p.onlyTyped() {
		fmt.Fprintf(&b, "## Move to client-go's typed work queue\n\n%s\n\n", typedIntro)
	} else {
		fmt.Fprintf(&b, "## Fix client-go work queue rate limiting\n\n%s\n\n", reportIntro)
	}
	p.reportSummary(&b)
	p.reportChanges(&b)
	p.reportReview(&b)
	path := p.c.report
	if !filepath.IsAbs(path) {
		path = filepath.Join(p.dir, path)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		p.failed = true
		fmt.Fprintf(p.stderr, "queuefix: -report: %v\n", err)
	}
}

func (p *printer) reportSummary(b *bytes.Buffer) {
	c := countResult(p.res, nil)
	dropped := 0
	for _, f := range p.res.Findings {
		if f.Status == rewrite.Change && f.Fix == rewrite.FixDropRateLimited {
			dropped++
		}
	}
	rewrites := plural(c.sites.change-dropped, "rewrite of `AddRateLimited` to `Add`", "rewrites of `AddRateLimited` to `Add`")
	if dropped > 0 {
		rewrites += " and " + plural(dropped, "`AddWithOpts` call that no longer sets `RateLimited`", "`AddWithOpts` calls that no longer set `RateLimited`")
	}
	workers := plural(c.workers.change, "`Forget` insertion")
	if c.dones.change > 0 {
		workers += " and " + plural(c.dones.change, "`Done` insertion")
	}
	var parts []string
	if p.c.runs(rewrite.RuleAddRateLimited) {
		parts = append(parts, rewrites+" in event handlers")
	}
	if p.c.runs(rewrite.RuleForget) || p.c.runs(rewrite.RuleDone) {
		parts = append(parts, workers+" in workers")
	}
	if p.c.runs(rewrite.RuleTyped) {
		parts = append(parts, plural(c.typed.change, "edit")+" to the typed work queue")
	}
	changed := plural(c.files, "file") + " changed"
	if len(parts) > 0 {
		changed += ": " + strings.Join(parts, ", ")
	}
	fmt.Fprintf(b, "**%s. %s a human.**", changed, plural(review(p.res), "finding needs", "findings need"))
	if n := len(p.loadErrors()); n > 0 {
		fmt.Fprintf(b, " %s.", plural(n, "package did not load and was left alone", "packages did not load and were left alone"))
	}
	b.WriteString(keptSentence(c))
	b.WriteString("\n\n")
	if !p.c.modules {
		return
	}
	if p.onlyTyped() {
		b.WriteString("| module | files | typed edits | need review | load errors |\n|---|---|---|---|---|\n")
		for _, r := range p.runs {
			m := countResult(r.res, r.err)
			fmt.Fprintf(b, "| `%s` | %d | %d | %d | %d |\n", p.rel(r.dir), m.files, m.typed.change, review(r.res), m.errors)
		}
		b.WriteString("\n")
		return
	}
	b.WriteString("| module | files | rewrites | forgets | need review | kept calls | load errors |\n|---|---|---|---|---|---|---|\n")
	for _, r := range p.runs {
		m := countResult(r.res, r.err)
		fmt.Fprintf(b, "| `%s` | %d | %d | %d | %d | %d | %d |\n", p.rel(r.dir), m.files, m.sites.change, m.workers.change, review(r.res), m.sites.keep, m.errors)
	}
	b.WriteString("\n")
}

// onlyTyped reports whether the typed rule is the only rule that edits
// code in this run, so the report speaks of the migration alone.
func (p *printer) onlyTyped() bool {
	return p.c.runs(rewrite.RuleTyped) && !p.c.runs(rewrite.RuleAddRateLimited) &&
		!p.c.runs(rewrite.RuleForget) && !p.c.runs(rewrite.RuleDone)
}

// keptSentence says how many sites were checked and kept, or "".
func keptSentence(c counts) string {
	var kept []string
	if c.sites.keep > 0 {
		kept = append(kept, plural(c.sites.keep, "other `AddRateLimited` call", "other `AddRateLimited` calls"))
	}
	if c.workers.keep > 0 {
		kept = append(kept, plural(c.workers.keep, "worker that already forgets", "workers that already forget"))
	}
	switch {
	case len(kept) == 0:
		return ""
	case len(kept) == 1 && c.sites.keep+c.workers.keep == 1:
		return " " + kept[0] + " was checked and kept as it is."
	}
	return " " + strings.Join(kept, " and ") + " were checked and kept as they are."
}

// reportChanges lists, per changed file, each change with its evidence,
// then the file's diff.
func (p *printer) reportChanges(b *bytes.Buffer) {
	if len(p.res.Files) == 0 {
		return
	}
	b.WriteString("### Changes\n\n")
	for _, f := range p.res.Files {
		rel := filepath.ToSlash(p.rel(f.Path))
		fmt.Fprintf(b, "#### `%s`\n\n", rel)
		for _, fd := range p.res.Findings {
			if fd.Status == rewrite.Change && fd.Pos.Filename == f.Path {
				fmt.Fprintf(b, "- %s\n", p.reportLine(fd))
			}
		}
		fmt.Fprintf(b, "\n<details><summary>diff</summary>\n\n```diff\n%s```\n\n</details>\n\n", f.Diff(rel))
	}
}

// reportLine says what changed at a finding and why.
func (p *printer) reportLine(f rewrite.Finding) string {
	line := fmt.Sprintf("line %d: `%s`.", f.Pos.Line, f.Fix)
	if ev := p.evidence(f); ev != "" {
		line += " " + ev
	}
	return line
}

// evidence renders the finding's chains for Markdown.
func (p *printer) evidence(f rewrite.Finding) string {
	var parts []string
	for _, c := range f.Chains {
		var frames []string
		for _, fr := range c.Frames {
			frames = append(frames, fmt.Sprintf("`%s` (%s)", fr.Func, p.shortPos(fr.Pos.Filename, fr.Pos.Line)))
		}
		parts = append(parts, chainLabel(c.Kind)+": "+strings.Join(frames, " → "))
	}
	return strings.Join(parts, "; ")
}

func chainLabel(kind rewrite.ChainKind) string {
	switch kind {
	case rewrite.ChainHandler:
		return "Reached from the event handler"
	case rewrite.ChainOther:
		return "and also from"
	case rewrite.ChainSuccess:
		return "Success path"
	}
	return string(kind)
}

func (p *printer) shortPos(file string, line int) string {
	return fmt.Sprintf("%s:%d", filepath.ToSlash(p.rel(file)), line)
}

// reportReview lists what queuefix left to a human, with the reasons.
func (p *printer) reportReview(b *bytes.Buffer) {
	var lines []string
	for _, f := range p.res.Findings {
		if f.Status == rewrite.Review {
			lines = append(lines, fmt.Sprintf("- `%s`: %s. %s", p.shortPos(f.Pos.Filename, f.Pos.Line),
				strings.TrimSuffix(f.Text(p.rel), "."), p.evidence(f)))
		}
	}
	for _, e := range p.loadErrors() {
		lines = append(lines, fmt.Sprintf("- package `%s` did not load, so nothing in it was changed and its callers were not considered: %s",
			e.Package, strings.Join(e.Errors, "; ")))
	}
	if len(lines) == 0 {
		b.WriteString("### Needs a human\n\nNothing: every site queuefix found was fixed.\n")
		return
	}
	b.WriteString("### Needs a human\n\nqueuefix left these alone because it could not prove a change safe:\n\n")
	b.WriteString(strings.Join(lines, "\n") + "\n")
}

// plural returns "n thing", "n things", or the given plural form.
func plural(n int, one string, many ...string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	if len(many) > 0 {
		return fmt.Sprintf("%d %s", n, many[0])
	}
	return fmt.Sprintf("%d %ss", n, one)
}
