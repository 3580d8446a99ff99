package main

import (
	"flag"
	"log/slog"
	"os"
	"sort"
	"strings"
	"testing"

	"myredis/cluster"
	"myredis/config"
	"myredis/db"
	"myredis/scripting"
	"myredis/server"
)

var update = flag.Bool("update", false, "rewrite README.md's generated sections")

// TestReadme keeps the README's command and parameter lists equal to what
// the code registers; `make readme` regenerates them.
func TestReadme(t *testing.T) {
	ks := db.New(db.NewTable(), 16)
	logger := slog.New(slog.DiscardHandler)
	// A router registers the cluster commands; it connects to no one until
	// it forwards something.
	cluster.New(cluster.Options{Self: "127.0.0.1:1", Peers: []string{"127.0.0.1:2"},
		Next: server.Local{KS: ks}, Table: ks.Table(), Password: func() string { return "" }, Log: logger})
	server.New(config.Default(), ks, nil, logger)
	scripting.New(ks, scripting.Options{})

	const path = "../README.md"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	text = replaceSection(t, text, "COMMANDS", commandList(ks.Table()))
	text = replaceSection(t, text, "IGNORED PARAMETERS", ignoredParams())
	if text == string(data) {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatal("README.md's generated sections are out of date: run `make readme`")
}

// replaceSection puts body between the BEGIN and END markers named name.
func replaceSection(t *testing.T, text, name, body string) string {
	begin := "<!-- BEGIN " + name
	end := "<!-- END " + name + " -->"
	i := strings.Index(text, begin)
	j := strings.Index(text, end)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the %s markers", name)
	}
	i += strings.Index(text[i:], "-->") + len("-->\n")
	return text[:i] + body + text[j:]
}

// commandList renders the table as one line per command group.
func commandList(t *db.Table) string {
	groups := map[string][]string{}
	for _, c := range t.All() {
		name := strings.ToUpper(c.Name)
		if subs := c.Subcommands(); len(subs) > 0 {
			names := make([]string, len(subs))
			for i, s := range subs {
				names[i] = strings.ToUpper(s.Name)
			}
			name += " " + strings.Join(names, "|")
		}
		groups[c.Group] = append(groups[c.Group], "`"+name+"`")
	}
	keys := make([]string, 0, len(groups))
	for g := range groups {
		keys = append(keys, g)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, g := range keys {
		b.WriteString("- **" + g + "**: " + strings.Join(groups[g], ", ") + "\n")
	}
	return b.String()
}

// ignoredParams lists the parameters that are accepted but not acted on.
func ignoredParams() string {
	var names []string
	for _, p := range config.Params() {
		if !p.Used {
			names = append(names, "`"+p.Name+"`")
		}
	}
	return strings.Join(names, ", ") + "\n"
}
