package tests

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// An oracleCase is one entry of a tests/cases/*.yaml file: commands run on a
// fresh connection after FLUSHALL, against MyRedis and real Redis, with the
// replies compared byte for byte.
type oracleCase struct {
	Name     string       `yaml:"name"`
	Proto    int          `yaml:"proto"`    // 3 sends HELLO 3 first; 0 or 2 stays on RESP2
	Commands []oracleStep `yaml:"commands"` // run in order
	// Expect holds the expected raw replies without their final CRLF, one per
	// command step (sleeps do not count). It replaces Redis when redis-server is
	// not installed (cases without it are then skipped) and is checked against
	// Redis when it is.
	Expect []string `yaml:"expect"`
}

// An oracleStep is a command, written either as a plain list ([GET, k]) or as
// a map with markers ({cmd: [SCAN, 0], sorted: true}), or a pause ({sleep: 150}).
type oracleStep struct {
	Cmd []string `yaml:"cmd"`
	// Sorted compares the elements of an array reply as a set: they are sorted
	// before comparing (for *SCAN replies, the elements of the second element;
	// for a RESP3 map, its key-value pairs).
	Sorted bool `yaml:"sorted"`
	// Compare "type" compares only the first byte (the RESP type) of the replies,
	// for replies that legitimately differ (HELLO, TIME, INFO).
	Compare string `yaml:"compare"`
	// Match, a regular expression, replaces the byte-for-byte comparison:
	// each reply, without its final CRLF, must match it whole. It is for
	// replies that quote a Lua VM's own message (a syntax error, a runtime
	// error inside Lua), which another Lua implementation may word its own
	// way around Redis's fixed frame.
	Match string `yaml:"match"`
	// Mask, a regular expression, blanks the volatile parts of otherwise
	// comparable replies: in both replies, the text of each match's first
	// group that took part in it (of the whole match if none did) becomes
	// "?", then the replies are compared byte for byte. It is for fields
	// that depend on time or on the implementation, e.g. a stream's idle
	// times or its radix-tree-nodes, in a reply whose every other byte must
	// agree.
	Mask  string `yaml:"mask"`
	Sleep int    `yaml:"sleep"` // milliseconds to wait, e.g. for an expiry

	match *regexp.Regexp // Match, compiled
	mask  *regexp.Regexp // Mask, compiled
}

// UnmarshalYAML accepts both step forms.
func (s *oracleStep) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.SequenceNode {
		return n.Decode(&s.Cmd)
	}
	type plain oracleStep // without this method
	if err := n.Decode((*plain)(s)); err != nil {
		return err
	}
	switch {
	case (len(s.Cmd) == 0) == (s.Sleep == 0):
		return fmt.Errorf("line %d: a step has either cmd or sleep", n.Line)
	case s.Compare != "" && s.Compare != "type":
		return fmt.Errorf("line %d: unknown compare %q", n.Line, s.Compare)
	case s.Match != "" && (s.Compare != "" || s.Sorted || s.Mask != ""):
		return fmt.Errorf("line %d: match excludes compare, sorted and mask", n.Line)
	case s.Mask != "" && s.Compare != "":
		return fmt.Errorf("line %d: mask excludes compare", n.Line)
	}
	if s.Mask != "" {
		re, err := regexp.Compile(s.Mask)
		if err != nil {
			return fmt.Errorf("line %d: mask: %v", n.Line, err)
		}
		s.mask = re
	}
	if s.Match != "" {
		re, err := regexp.Compile(`^(?s:` + s.Match + `)$`)
		if err != nil {
			return fmt.Errorf("line %d: match: %v", n.Line, err)
		}
		s.match = re
	}
	return nil
}

// loadCases reads and checks one case file.
func loadCases(t *testing.T, path string) []oracleCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	var cases []oracleCase
	if err := dec.Decode(&cases); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	seen := map[string]bool{}
	for _, c := range cases {
		ncmd := 0
		for _, s := range c.Commands {
			if len(s.Cmd) > 0 {
				ncmd++
			}
		}
		switch {
		case c.Name == "" || seen[c.Name]:
			t.Fatalf("%s: missing or duplicate case name %q", path, c.Name)
		case ncmd == 0:
			t.Fatalf("%s: case %q has no commands", path, c.Name)
		case c.Expect != nil && len(c.Expect) != ncmd:
			t.Fatalf("%s: case %q has %d commands but %d expected replies", path, c.Name, ncmd, len(c.Expect))
		}
		seen[c.Name] = true
	}
	return cases
}

// TestOracle runs every case of tests/cases/*.yaml against MyRedis and real
// Redis. Adding a YAML file there is all it takes to add cases. The cases
// of streams*.yaml skip while MyRedis has no streams.
func TestOracle(t *testing.T) {
	files, err := filepath.Glob("cases/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no case files in tests/cases (%v)", err)
	}
	my := startServer(t)
	var ref *server
	if haveRedis() {
		ref = startRedis(t)
	}
	for _, file := range files {
		group := strings.TrimSuffix(filepath.Base(file), ".yaml")
		for _, c := range loadCases(t, file) {
			t.Run(group+"/"+c.Name, func(t *testing.T) {
				runCase(t, c, my, ref)
			})
		}
	}
}

// runCase runs c against my and compares with ref, or with c.Expect when ref
// is nil (redis-server not installed).
func runCase(t *testing.T, c oracleCase, my, ref *server) {
	if ref == nil && c.Expect == nil {
		t.Skip("redis-server not installed and the case has no expect")
	}
	myConn := caseConn(t, my, c.Proto)
	var refConn *rawConn
	if ref != nil {
		refConn = caseConn(t, ref, c.Proto)
	}
	ncmd := 0
	for i, s := range c.Commands {
		if s.Sleep > 0 {
			time.Sleep(time.Duration(s.Sleep) * time.Millisecond)
			continue
		}
		got := myConn.do(s.Cmd...)
		var want string
		if refConn != nil {
			want = refConn.do(s.Cmd...)
			if c.Expect != nil && want != c.Expect[ncmd]+"\r\n" {
				t.Errorf("step %d %q: the case expects %q but Redis replies %q", i, s.Cmd, c.Expect[ncmd], want)
			}
		} else {
			want = c.Expect[ncmd] + "\r\n"
		}
		ncmd++
		switch {
		case s.match != nil && !s.sameReply(got, want):
			t.Errorf("step %d %q: both replies must match %q:\nmyredis: %q\nredis:   %q", i, s.Cmd, s.Match, got, want)
		case !s.sameReply(got, want):
			t.Errorf("step %d %q:\nmyredis: %q\nredis:   %q", i, s.Cmd, got, want)
		}
	}
}

// caseConn opens a connection for one case: protocol chosen, all DBs empty.
func caseConn(t *testing.T, s *server, proto int) *rawConn {
	t.Helper()
	c := s.dial(t)
	if proto == 3 {
		if reply := c.do("HELLO", "3"); !strings.HasPrefix(reply, "%") {
			t.Fatalf("%s: HELLO 3: got %q, want a map", s.name, reply)
		}
	}
	c.mustDo("+OK\r\n", "FLUSHALL")
	return c
}

// sameReply reports whether two raw replies to s are equal under its markers.
func (s oracleStep) sameReply(a, b string) bool {
	if s.match != nil {
		return s.match.MatchString(strings.TrimSuffix(a, "\r\n")) && s.match.MatchString(strings.TrimSuffix(b, "\r\n"))
	}
	if s.Compare == "type" {
		return a != "" && b != "" && a[0] == b[0]
	}
	if s.mask != nil {
		a, b = maskReply(s.mask, a), maskReply(s.mask, b)
	}
	if s.Sorted {
		scan := strings.HasSuffix(strings.ToUpper(s.Cmd[0]), "SCAN")
		return bytes.Equal(sortedReply([]byte(a), scan), sortedReply([]byte(b), scan))
	}
	return a == b
}

// sortedReply returns raw with the elements of its array sorted; for a SCAN
// reply (cursor, elements) the inner array is sorted, and a RESP3 map's
// key-value pairs are sorted as units. Anything else is returned unchanged.
func sortedReply(raw []byte, scan bool) []byte {
	header, elems, ok := splitAggregate(raw)
	if !ok {
		return raw
	}
	switch {
	case scan:
		if len(elems) != 2 {
			return raw
		}
		elems = [][]byte{elems[0], sortedReply(elems[1], false)}
	case header[0] == '%':
		pairs := make([][]byte, 0, len(elems)/2)
		for i := 0; i+1 < len(elems); i += 2 {
			pairs = append(pairs, slices.Concat(elems[i], elems[i+1]))
		}
		slices.SortFunc(pairs, bytes.Compare)
		elems = pairs
	default:
		slices.SortFunc(elems, bytes.Compare)
	}
	return slices.Concat(append([][]byte{header}, elems...)...)
}

// maskReply returns raw with the text of each match of re replaced by "?":
// the text of the match's first group that took part in it, or of the
// whole match if none did.
func maskReply(re *regexp.Regexp, raw string) string {
	var out strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(raw, -1) {
		start, end := m[0], m[1]
		for g := 2; g+1 < len(m); g += 2 {
			if m[g] >= 0 {
				start, end = m[g], m[g+1]
				break
			}
		}
		out.WriteString(raw[last:start])
		out.WriteString("?")
		last = end
	}
	out.WriteString(raw[last:])
	return out.String()
}
