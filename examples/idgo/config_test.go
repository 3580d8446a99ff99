package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseConfigDefaults(t *testing.T) {
	cfg, err := ParseConfig([]byte("storage:\n  addrs: [127.0.0.1:6379]\n"))
	require.NoError(t, err)
	assert.Equal(t, &Config{Addr: "127.0.0.1:6389", LogLevel: "info", Batch: 1000,
		Storage: StorageConfig{Addrs: []string{"127.0.0.1:6379"}, Prefix: "idgo:"}}, cfg)
}

func TestExampleConfigLoads(t *testing.T) {
	cfg, err := LoadConfig("idgo.yaml")
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:6389", cfg.Addr)
	assert.Equal(t, int64(1000), cfg.Batch)
	assert.Equal(t, []string{"127.0.0.1:6379"}, cfg.Storage.Addrs)
}

func TestParseConfigErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"empty file", "", "line 1: storage.addrs: at least one MyRedis host:port is required"},
		{"unknown key", "addr: 127.0.0.1:1\nbatchsize: 10\n", "line 2: field batchsize not found"},
		{"unknown nested key", "storage:\n  addrs: [a:1]\n  pasword: x\n", "line 3: field pasword not found"},
		{"batch not a number", "batch: many\n", "line 1: cannot unmarshal !!str `many` into int64"},
		{"batch zero", "storage:\n  addrs: [a:1]\nbatch: 0\n", "line 3: batch: must be between 1 and 1000000000, got 0"},
		{"batch too big", "batch: 2000000000\nstorage:\n  addrs: [a:1]\n", "line 1: batch: must be between 1 and 1000000000"},
		{"addr without port", "addr: localhost\nstorage:\n  addrs: [a:1]\n", `line 1: addr: "localhost" is not host:port`},
		{"bad port", "storage:\n  addrs: [a:1]\naddr: 'x:99999'\n", `line 3: addr: "x:99999": port "99999" is not a number`},
		{"bad log level", "log_level: loud\nstorage:\n  addrs: [a:1]\n", `line 1: log_level: "loud" is not one of debug, info, warn, error`},
		{"no addrs", "storage:\n  password: x\n", "line 1: storage.addrs: at least one"},
		{"empty addrs", "storage:\n  addrs: []\n", "line 2: storage.addrs: at least one"},
		{"bad second addr", "storage:\n  addrs:\n    - a:1\n    - b\n", `line 4: storage.addrs[1]: "b" is not host:port`},
		{"not a mapping", "- a\n", "line 1: cannot unmarshal !!seq into main.Config"},
		{"syntax", "addr: [\n", "yaml: line 1: did not find expected node content"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tc.yaml))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestLoadConfigErrorNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "idgo.yaml")
	require.NoError(t, os.WriteFile(path, []byte("batch: -1\nstorage: {addrs: [a:1]}\n"), 0o644))
	_, err := LoadConfig(path)
	require.EqualError(t, err, "config "+path+": line 1: batch: must be between 1 and 1000000000, got -1")
}
