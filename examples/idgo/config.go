package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Defaults of the configuration keys.
const (
	defaultAddr   = "127.0.0.1:6389"
	defaultBatch  = 1000
	defaultPrefix = "idgo:"
	maxBatch      = 1_000_000_000
)

// Config is idgo's configuration, read from a YAML file whose keys mirror
// idgo's own configuration (see idgo.yaml).
type Config struct {
	Addr     string        `yaml:"addr"`      // where idgo listens, host:port
	LogLevel string        `yaml:"log_level"` // debug, info, warn or error
	Batch    int64         `yaml:"batch"`     // IDs per lease, 1..maxBatch
	Storage  StorageConfig `yaml:"storage"`
}

// StorageConfig says where the counters live.
type StorageConfig struct {
	// Addrs lists MyRedis's host:port: one address for a single server,
	// several for a cluster (any of its nodes).
	Addrs    []string `yaml:"addrs"`
	Password string   `yaml:"password"`
	// Prefix starts the name of every counter key: generator k is kept
	// in Prefix + "{" + k + "}".
	Prefix string `yaml:"prefix"`
}

// logLevels maps the accepted log_level values to slog levels.
var logLevels = map[string]slog.Level{
	"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError,
}

// LoadConfig reads and validates the file at path. Its error names the file,
// the line and the reason.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	cfg, err := ParseConfig(data)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// ParseConfig decodes a YAML configuration, refusing unknown keys, fills in
// the defaults and validates the values. Errors carry the line number.
func ParseConfig(data []byte) (*Config, error) {
	cfg := &Config{Addr: defaultAddr, LogLevel: "info", Batch: defaultBatch,
		Storage: StorageConfig{Prefix: defaultPrefix}}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	if err := cfg.validate(&root); err != nil {
		return nil, err
	}
	return cfg, nil
}

// validate checks every value; root is the parsed document, used to find
// the line of an offending key.
func (c *Config) validate(root *yaml.Node) error {
	bad := func(msg string, path ...string) error {
		return fmt.Errorf("line %d: %s: %s", lineOf(root, path...), joinPath(path), msg)
	}
	if err := checkHostPort(c.Addr); err != nil {
		return bad(err.Error(), "addr")
	}
	if _, ok := logLevels[c.LogLevel]; !ok {
		return bad(fmt.Sprintf("%q is not one of debug, info, warn, error", c.LogLevel), "log_level")
	}
	if c.Batch < 1 || c.Batch > maxBatch {
		return bad(fmt.Sprintf("must be between 1 and %d, got %d", maxBatch, c.Batch), "batch")
	}
	if len(c.Storage.Addrs) == 0 {
		return bad("at least one MyRedis host:port is required", "storage", "addrs")
	}
	for i, a := range c.Storage.Addrs {
		if err := checkHostPort(a); err != nil {
			return bad(err.Error(), "storage", "addrs", strconv.Itoa(i))
		}
	}
	return nil
}

// checkHostPort reports whether a is host:port with a numeric port.
func checkHostPort(a string) error {
	_, port, err := net.SplitHostPort(a)
	if err != nil {
		return fmt.Errorf("%q is not host:port", a)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || (n == 0 && port != "0") {
		return fmt.Errorf("%q: port %q is not a number from 0 to 65535", a, port)
	}
	return nil
}

// lineOf returns the line of the node at path (mapping keys, or sequence
// indexes as decimal strings) in the document root; a missing node gives
// the line of its deepest present ancestor, 1 for an empty document.
func lineOf(root *yaml.Node, path ...string) int {
	n, line := root, 1
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
		line = n.Line
	}
	for _, p := range path {
		var next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == p {
					line, next = n.Content[i].Line, n.Content[i+1]
				}
			}
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(p); err == nil && i < len(n.Content) {
				next = n.Content[i]
				line = next.Line
			}
		}
		if next == nil {
			break
		}
		n = next
	}
	return max(line, 1)
}

// joinPath writes a key path as in the file: storage.addrs[1].
func joinPath(path []string) string {
	s := ""
	for _, p := range path {
		if _, err := strconv.Atoi(p); err == nil {
			s += "[" + p + "]"
		} else if s == "" {
			s = p
		} else {
			s += "." + p
		}
	}
	return s
}
