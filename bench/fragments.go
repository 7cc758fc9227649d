package main

// A fragment is one template of "ordinary code": a function, or a type with
// its methods, of the kind found around any controller. The generator fills
// packages with fragments picked by a seeded random source, so that no two
// packages look alike while every one of them compiles.
type fragment struct {
	prefix  string   // name prefix of the function (F) or type (T) it declares
	kind    byte     // signature F has, so later fragments can call it (see sigKinds); 0 if none
	tkind   byte     // signature T has when T is a func-typed variable; 0 if none
	imports []string // standard-library imports the text uses
	text    string   // text/template over fragData
}

// Signature kinds a fragment can provide and call:
//
//	S func(string) string
//	I func(*Item) (int, error)
//	B func(*Item) bool
//	E func(*Item) error
//	L func([]*Item) []*Item
const sigKinds = "SIBEL"

var fragments = []fragment{
	{prefix: "qualify", kind: 'S', imports: []string{"strings"}, text: `
// {{.F}} trims s and puts it in the {{.W}} namespace when it has none.
func {{.F}}(s string) string {
	s = strings.TrimSpace({{.S}}(s))
	if s == "" {
		return "{{.W}}"
	}
	if !strings.Contains(s, "/") {
		return "{{.W}}/" + s
	}
	return s
}
`},
	{prefix: "shorten", kind: 'S', imports: []string{"fmt"}, text: `
// {{.F}} shortens s to at most {{.K1}} bytes and keeps it unique with a hash suffix.
func {{.F}}(s string) string {
	const limit = {{.K1}}
	if len(s) <= limit {
		return s
	}
	var h uint32 = 2166136261
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return fmt.Sprintf("%s-%08x", s[:limit-9], h)
}
`},
	{prefix: "sanitize", kind: 'S', imports: []string{"strings", "unicode"}, text: `
// {{.F}} keeps letters, digits, dots and dashes, and turns anything else into a dash.
func {{.F}}(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		case r == '-' || r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return {{.S}}(b.String())
}
`},
	{prefix: "score", kind: 'I', imports: []string{"errors", "fmt", "strings"}, text: `
// {{.F}} scores an item by its labels; items without the {{.W}} label are rejected.
func {{.F}}(it *Item) (int, error) {
	if it == nil {
		return 0, errors.New("{{.F}}: nil item")
	}
	v, ok := it.Labels["{{.W}}"]
	if !ok {
		return 0, &ErrInvalid{Key: it.Key, Reason: "missing label {{.W}}"}
	}
	score := len(v) * {{.K1}}
	for k := range it.Labels {
		if strings.HasPrefix(k, "{{.W}}.") {
			score += {{.K2}}
		}
	}
	base, err := {{.I}}(it)
	if err != nil {
		return 0, fmt.Errorf("{{.F}} %s: %w", it.Key, err)
	}
	return score + base, nil
}
`},
	{prefix: "parseWeight", kind: 'I', imports: []string{"fmt", "strconv"}, text: `
// {{.F}} reads the weight from the {{.W}}-weight label, defaulting to the item's own.
func {{.F}}(it *Item) (int, error) {
	raw := it.Labels["{{.W}}-weight"]
	if raw == "" {
		return it.Weight, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, fmt.Errorf("item %s: label {{.W}}-weight: %w", it.Key, err)
	}
	if n < 0 || n > {{.K3}} {
		return 0, &ErrInvalid{Key: it.Key, Reason: fmt.Sprintf("weight %d out of range", n)}
	}
	return n, nil
}
`},
	{prefix: "countChildren", kind: 'I', imports: []string{"fmt"}, text: `
// {{.F}} weighs an item by its distinct children and fails on duplicates.
func {{.F}}(it *Item) (int, error) {
	seen := make(map[string]struct{}, len(it.Children))
	for _, c := range it.Children {
		c = {{.S}}(c)
		if _, dup := seen[c]; dup {
			return 0, fmt.Errorf("item %s lists child %q twice", it.Key, c)
		}
		seen[c] = struct{}{}
	}
	return len(seen)*{{.K1}} + it.Weight, nil
}
`},
	{prefix: "isFresh", kind: 'B', imports: []string{"time"}, text: `
// {{.F}} reports whether the item changed within the last {{.K1}} minutes.
func {{.F}}(it *Item) bool {
	if it.Updated.IsZero() {
		return {{.B}}(it)
	}
	return time.Since(it.Updated) < {{.K1}}*time.Minute && it.Weight%{{.K2}} != 0
}
`},
	{prefix: "hasLabel", kind: 'B', imports: []string{"strings"}, text: `
// {{.F}} reports whether the item carries a {{.W}} label that is switched on.
func {{.F}}(it *Item) bool {
	for k, v := range it.Labels {
		if k == "{{.W}}" && v != "" {
			return true
		}
		if strings.HasSuffix(k, "/{{.W}}") {
			return v == "true"
		}
	}
	return false
}
`},
	{prefix: "checkName", kind: 'E', imports: []string{"fmt"}, text: `
// {{.F}} rejects names that are empty, too long or not normalized.
func {{.F}}(it *Item) error {
	if len(it.Name) == 0 {
		return &ErrInvalid{Key: it.Key, Reason: "empty name"}
	}
	if len(it.Name) > {{.K3}} {
		return &ErrInvalid{Key: it.Key, Reason: fmt.Sprintf("name longer than %d", {{.K3}})}
	}
	if {{.S}}(it.Name) != it.Name {
		return fmt.Errorf("item %s: name %q is not normalized", it.Key, it.Name)
	}
	return nil
}
`},
	{prefix: "verify", kind: 'E', imports: []string{"errors", "fmt"}, text: `
// {{.F}} runs every {{.W}} check and reports all failures at once.
func {{.F}}(it *Item) error {
	var errs []error
	if !{{.B}}(it) {
		errs = append(errs, fmt.Errorf("{{.W}} check failed for %s", it.Key))
	}
	if err := {{.E}}(it); err != nil {
		errs = append(errs, err)
	}
	if _, err := {{.I}}(it); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
`},
	{prefix: "filter", kind: 'L', text: `
// {{.F}} keeps the items that pass {{.B}}.
func {{.F}}(items []*Item) []*Item {
	out := items[:0:0]
	for _, it := range items {
		if {{.B}}(it) {
			out = append(out, it)
		}
	}
	return out
}
`},
	{prefix: "heaviest", kind: 'L', imports: []string{"sort"}, text: `
// {{.F}} returns at most {{.K3}} items, heaviest first, ties by key.
func {{.F}}(items []*Item) []*Item {
	out := append([]*Item(nil), items...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Weight != out[j].Weight {
			return out[i].Weight > out[j].Weight
		}
		return out[i].Key < out[j].Key
	})
	if len(out) > {{.K3}} {
		out = out[:{{.K3}}]
	}
	return out
}
`},
	{prefix: "tally", imports: []string{"sort", "sync"}, text: `
// {{.T}} counts {{.W}} events per key.
type {{.T}} struct {
	mu     sync.Mutex
	counts map[string]int
	limit  int
}

func new{{.TC}}() *{{.T}} {
	return &{{.T}}{counts: make(map[string]int), limit: {{.K3}}}
}

// observe records one event for key and reports whether the key is over its limit.
func (t *{{.T}}) observe(key string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.counts[key]++
	return t.counts[key] > t.limit
}

// top returns the n keys with the most events.
func (t *{{.T}}) top(n int) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	keys := make([]string, 0, len(t.counts))
	for k := range t.counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ci, cj := t.counts[keys[i]], t.counts[keys[j]]
		return ci > cj || ci == cj && keys[i] < keys[j]
	})
	if len(keys) > n {
		keys = keys[:n]
	}
	return keys
}
`},
	{prefix: "phaseOf", imports: []string{"fmt"}, text: `
// {{.T}} is the lifecycle phase of a {{.W}} item.
type {{.T}} int

const (
	{{.T}}Pending {{.T}} = iota
	{{.T}}Active
	{{.T}}Draining
	{{.T}}Done
)

func (p {{.T}}) String() string {
	switch p {
	case {{.T}}Pending:
		return "pending"
	case {{.T}}Active:
		return "active"
	case {{.T}}Draining:
		return "draining"
	case {{.T}}Done:
		return "done"
	}
	return fmt.Sprintf("{{.T}}(%d)", int(p))
}

// {{.F}} derives the phase of an item from its labels and weight.
func {{.F}}(it *Item) {{.T}} {
	switch {
	case it.Labels["{{.W}}"] == "done":
		return {{.T}}Done
	case it.Weight > {{.K3}}:
		return {{.T}}Draining
	case {{.B}}(it):
		return {{.T}}Active
	}
	return {{.T}}Pending
}
`},
	{prefix: "grant", text: `
// {{.T}} decides how much {{.W}} budget an item gets.
type {{.T}} interface {
	Budget(it *Item) int
	Name() string
}

type {{.T}}Fixed struct{ n int }

func ({{.T}}Fixed) Name() string       { return "fixed" }
func (p {{.T}}Fixed) Budget(*Item) int { return p.n }

type {{.T}}Scaled struct {
	factor int
	floor  int
}

func ({{.T}}Scaled) Name() string { return "scaled" }

func (p {{.T}}Scaled) Budget(it *Item) int {
	b := it.Weight * p.factor
	if b < p.floor {
		return p.floor
	}
	return b
}

var {{.T}}Defaults = []{{.T}}{ {{.T}}Fixed{n: {{.K1}}}, {{.T}}Scaled{factor: {{.K2}}, floor: {{.K3}}} }

// {{.F}} sums the budgets the policies grant and names the most generous one.
func {{.F}}(items []*Item, policies ...{{.T}}) (int, string) {
	total, best, bestName := 0, -1, ""
	for _, p := range policies {
		for _, it := range items {
			b := p.Budget(it)
			total += b
			if b > best {
				best, bestName = b, p.Name()
			}
		}
	}
	return total, bestName
}
`},
	{prefix: "memoize", tkind: 'I', imports: []string{"sync"}, text: `
// {{.F}} wraps fn with a cache keyed by the item's key and checksum.
func {{.F}}(fn func(*Item) (int, error)) func(*Item) (int, error) {
	type entry struct {
		sum uint32
		n   int
	}
	var mu sync.Mutex
	cache := map[string]entry{}
	return func(it *Item) (int, error) {
		sum := prevChecksum(it)
		mu.Lock()
		e, ok := cache[it.Key]
		mu.Unlock()
		if ok && e.sum == sum {
			return e.n, nil
		}
		n, err := fn(it)
		if err != nil {
			return 0, err
		}
		mu.Lock()
		cache[it.Key] = entry{sum: sum, n: n}
		mu.Unlock()
		return n, nil
	}
}

// {{.T}} is {{.I}} with a cache in front.
var {{.T}} = {{.F}}({{.I}})
`},
	{prefix: "groupByOwner", imports: []string{"sort"}, text: `
// {{.F}} groups item keys by normalized owner; ownerless items go to "{{.W}}".
func {{.F}}(items []*Item) map[string][]string {
	groups := make(map[string][]string)
	for _, it := range items {
		owner := {{.S}}(it.Owner)
		if owner == "" {
			owner = "{{.W}}"
		}
		groups[owner] = append(groups[owner], it.Key)
	}
	for owner := range groups {
		sort.Strings(groups[owner])
	}
	return groups
}
`},
	{prefix: "render", imports: []string{"fmt", "strings"}, text: `
// {{.F}} renders one line per item, in {{.L}} order, at most {{.K1}} lines.
func {{.F}}(items []*Item) string {
	var b strings.Builder
	for i, it := range {{.L}}(items) {
		if i == {{.K1}} {
			fmt.Fprintf(&b, "... and %d more\n", len(items)-i)
			break
		}
		fmt.Fprintf(&b, "%-24s weight=%-4d owner=%s children=%d\n", it.Key, it.Weight, it.Owner, len(it.Children))
	}
	return b.String()
}
`},
	{prefix: "runSteps", kind: 'E', imports: []string{"fmt"}, text: `
// {{.T}} is returned when a {{.W}} step fails for an item.
type {{.T}} struct {
	Step string
	Key  string
	Err  error
}

func (e *{{.T}}) Error() string { return fmt.Sprintf("{{.W}} %s for %s: %v", e.Step, e.Key, e.Err) }
func (e *{{.T}}) Unwrap() error { return e.Err }

// {{.F}} runs the {{.W}} steps in order and wraps the first failure.
func {{.F}}(it *Item) error {
	steps := []struct {
		name string
		run  func(*Item) error
	}{
		{"check", {{.E}}},
		{"below", prevValidate},
		{"weigh", func(it *Item) error {
			_, err := {{.I}}(it)
			return err
		}},
	}
	for _, s := range steps {
		if err := s.run(it); err != nil {
			return &{{.T}}{Step: s.name, Key: it.Key, Err: err}
		}
	}
	return nil
}
`},
	{prefix: "backoff", imports: []string{"time"}, text: `
// {{.F}} returns the delays before each retry of a {{.W}} call, doubling up to {{.K3}}ms.
func {{.F}}(attempts int) []time.Duration {
	delays := make([]time.Duration, 0, attempts)
	d := {{.K1}} * time.Millisecond
	for i := 0; i < attempts; i++ {
		delays = append(delays, d)
		d *= 2
		if d > {{.K3}}*time.Millisecond {
			d = {{.K3}} * time.Millisecond
		}
	}
	return delays
}
`},
	{prefix: "splitKey", imports: []string{"fmt", "strings"}, text: `
// {{.F}} splits a namespace/name key.
func {{.F}}(key string) (ns, name string, err error) {
	parts := strings.Split(key, "/")
	switch len(parts) {
	case 1:
		return "", parts[0], nil
	case 2:
		if parts[0] == "" || parts[1] == "" {
			return "", "", fmt.Errorf("key %q has an empty part", key)
		}
		return parts[0], {{.S}}(parts[1]), nil
	}
	return "", "", fmt.Errorf("unexpected key format %q", key)
}
`},
	{prefix: "mergeLabels", text: `
// {{.T}} are the labels every {{.W}} item gets unless it sets them itself.
var {{.T}} = map[string]string{
	"{{.W}}":                       "{{.K1}}",
	"{{.W}}.tier":                  "{{.K2}}",
	"app.kubernetes.io/managed-by": "synth",
}

// {{.F}} merges defaults into the item's labels without overwriting and
// returns how many it added.
func {{.F}}(it *Item, defaults map[string]string) int {
	if it.Labels == nil {
		it.Labels = make(map[string]string, len(defaults))
	}
	added := 0
	for k, v := range defaults {
		if _, ok := it.Labels[k]; ok {
			continue
		}
		it.Labels[k] = v
		added++
	}
	return added
}
`},
	{prefix: "weightStats", imports: []string{"math"}, text: `
// {{.F}} returns the mean and standard deviation of the items' weights.
func {{.F}}(items []*Item) (mean, stddev float64) {
	if len(items) == 0 {
		return 0, 0
	}
	for _, it := range items {
		mean += float64(it.Weight)
	}
	mean /= float64(len(items))
	for _, it := range items {
		d := float64(it.Weight) - mean
		stddev += d * d
	}
	return mean, math.Sqrt(stddev / float64(len(items)))
}
`},
	{prefix: "histogram", text: `
// {{.F}} buckets items by the weight {{.I}} gives them.
func {{.F}}(items []*Item) map[string]int {
	buckets := map[string]int{}
	for _, it := range items {
		w, err := {{.I}}(it)
		switch {
		case err != nil:
			buckets["error"]++
		case w < {{.K1}}:
			buckets["small"]++
		case w < {{.K1}}*{{.K2}}:
			buckets["medium"]++
		default:
			buckets["large"]++
		}
	}
	return buckets
}
`},
	{prefix: "reachable", text: `
// {{.F}} returns the keys reachable from root through Children, depth first,
// at most {{.K1}} levels down.
func {{.F}}(s *Store, root string) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(key string, depth int)
	walk = func(key string, depth int) {
		if seen[key] || depth > {{.K1}} {
			return
		}
		seen[key] = true
		out = append(out, key)
		it, ok := s.Get(key)
		if !ok {
			return
		}
		for _, c := range it.Children {
			walk(c, depth+1)
		}
	}
	walk(root, 0)
	return out
}
`},
	{prefix: "stageConfig", imports: []string{"fmt", "strings", "time"}, text: `
// {{.T}} configures the {{.W}} stage.
type {{.T}} struct {
	Name      string
	Workers   int
	Threshold float64
	Timeout   time.Duration
	Tags      []string
}

func (c {{.T}}) withDefaults() {{.T}} {
	if c.Name == "" {
		c.Name = "{{.W}}"
	}
	if c.Workers <= 0 {
		c.Workers = {{.K2}}
	}
	if c.Threshold == 0 {
		c.Threshold = 0.{{.K1}}
	}
	if c.Timeout == 0 {
		c.Timeout = {{.K3}} * time.Millisecond
	}
	return c
}

func (c {{.T}}) validate() error {
	if c.Workers > 64 {
		return fmt.Errorf("{{.W}} stage %s: %d workers is too many", c.Name, c.Workers)
	}
	if c.Threshold < 0 || c.Threshold > 1 {
		return fmt.Errorf("{{.W}} stage %s: threshold %v outside [0,1]", c.Name, c.Threshold)
	}
	return nil
}

func (c {{.T}}) String() string {
	return fmt.Sprintf("%s(workers=%d, threshold=%.2f, timeout=%s, tags=%s)",
		c.Name, c.Workers, c.Threshold, c.Timeout, strings.Join(c.Tags, ","))
}
`},
	{prefix: "pipeline", imports: []string{"strings"}, text: `
// {{.F}} applies the string stages in order and records which of them changed the value.
func {{.F}}(in string) (string, []int) {
	stages := []func(string) string{ {{.S}}, strings.ToLower, {{.S2}} }
	var changed []int
	for i, st := range stages {
		out := st(in)
		if out != in {
			changed = append(changed, i)
		}
		in = out
	}
	return in, changed
}
`},
	{prefix: "labelDiff", imports: []string{"sort"}, text: `
// {{.F}} lists the label keys added, removed and changed between two versions of an item.
func {{.F}}(old, cur *Item) (added, removed, changed []string) {
	for k, v := range cur.Labels {
		ov, ok := old.Labels[k]
		switch {
		case !ok:
			added = append(added, k)
		case ov != v:
			changed = append(changed, k)
		}
	}
	for k := range old.Labels {
		if _, ok := cur.Labels[k]; !ok {
			removed = append(removed, k)
		}
	}
	sort.Strings(added)
	sort.Strings(removed)
	sort.Strings(changed)
	return added, removed, changed
}
`},
	{prefix: "recent", text: `
// {{.T}} keeps the last {{.K1}} {{.W}} keys seen.
type {{.T}} struct {
	buf  [{{.K1}}]string
	next int
	full bool
}

func (r *{{.T}}) push(key string) {
	r.buf[r.next] = key
	r.next = (r.next + 1) % len(r.buf)
	if r.next == 0 {
		r.full = true
	}
}

func (r *{{.T}}) snapshot() []string {
	if !r.full {
		return append([]string(nil), r.buf[:r.next]...)
	}
	out := make([]string, 0, len(r.buf))
	out = append(out, r.buf[r.next:]...)
	return append(out, r.buf[:r.next]...)
}

func (r *{{.T}}) contains(key string) bool {
	for _, k := range r.snapshot() {
		if k == key {
			return true
		}
	}
	return false
}
`},
	{prefix: "importBelow", imports: []string{"fmt", "strconv"}, text: `
// {{.F}} imports items from the layer below, keeping those that pass {{.B}}.
func {{.F}}(keys []string) ([]*Item, error) {
	var out []*Item
	for _, k := range keys {
		it, ok := prevLookup(k)
		if !ok {
			return nil, fmt.Errorf("{{.F}}: key %s not found in the layer below", k)
		}
		if !{{.B}}(it) {
			continue
		}
		if it.Labels == nil {
			it.Labels = map[string]string{}
		}
		it.Labels["{{.W}}/imported"] = strconv.Itoa(int(prevChecksum(it) % {{.K3}}))
		out = append(out, it)
	}
	return {{.L}}(out), nil
}
`},
	{prefix: "encode", imports: []string{"encoding/json", "fmt"}, text: `
// {{.F}} encodes the item in the compact form the {{.W}} API expects.
func {{.F}}(it *Item) ([]byte, error) {
	type wire struct {
		Key    string            ` + "`json:\"key\"`" + `
		Weight int               ` + "`json:\"weight\"`" + `
		Labels map[string]string ` + "`json:\"labels,omitempty\"`" + `
		Sum    uint32            ` + "`json:\"sum\"`" + `
	}
	b, err := json.Marshal(wire{Key: it.Key, Weight: it.Weight, Labels: it.Labels, Sum: Checksum(it)})
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", it.Key, err)
	}
	return b, nil
}
`},
	{prefix: "bucket", imports: []string{"time"}, text: `
// {{.T}} is a token bucket for {{.W}} calls.
type {{.T}} struct {
	capacity float64
	tokens   float64
	rate     float64 // tokens per second
	last     time.Time
}

func new{{.TC}}() *{{.T}} {
	return &{{.T}}{capacity: {{.K2}}, rate: {{.K1}}}
}

// allow takes a token if one is left at now.
func (b *{{.T}}) allow(now time.Time) bool {
	if b.last.IsZero() {
		b.last, b.tokens = now, b.capacity
	}
	b.tokens += now.Sub(b.last).Seconds() * b.rate
	if b.tokens > b.capacity {
		b.tokens = b.capacity
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
`},
	{prefix: "passesAll", kind: 'B', text: `
// {{.F}} reports whether the item passes every {{.W}} filter.
func {{.F}}(it *Item) bool {
	filters := []func(*Item) bool{
		{{.B}},
		func(it *Item) bool { return it.Weight >= {{.K1}} },
		func(it *Item) bool { return len(it.Children) <= {{.K3}} },
	}
	for _, f := range filters {
		if !f(it) {
			return false
		}
	}
	return true
}
`},
	{prefix: "distinct", imports: []string{"sort"}, text: `
// {{.F}} returns the distinct non-empty values of in after {{.S}}, sorted.
func {{.F}}(in []string) []string {
	set := make(map[string]bool, len(in))
	for _, s := range in {
		if s = {{.S}}(s); s != "" {
			set[s] = true
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
`},
	{prefix: "weighAll", imports: []string{"sync"}, text: `
// {{.F}} weighs items with up to {{.K2}} goroutines and sums the results.
func {{.F}}(items []*Item) (int, error) {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
		first error
	)
	sem := make(chan struct{}, {{.K2}})
	for _, it := range items {
		wg.Add(1)
		sem <- struct{}{}
		go func(it *Item) {
			defer func() { <-sem; wg.Done() }()
			n, err := {{.I}}(it)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && first == nil {
				first = err
			}
			total += n
		}(it)
	}
	wg.Wait()
	return total, first
}
`},
}
