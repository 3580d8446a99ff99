package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const validConfig = `{
  "backend": {"api_port": 8080, "api_secret": "0123456789abcdef"},
  "redis": {"addrs": ["127.0.0.1:7001"], "password": ""},
  "products": [{"id": "phone", "stock": 10}]
}`

func TestExampleConfigsLoad(t *testing.T) {
	for _, name := range []string{"config.example.json", "config.mysql.example.json"} {
		cfg, err := LoadConfig(name)
		require.NoError(t, err, name)
		assert.NotEmpty(t, cfg.Products, name)
	}
}

func TestConfigDefaults(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.json")
	require.NoError(t, os.WriteFile(path, []byte(validConfig), 0o644))
	cfg, err := LoadConfig(path)
	require.NoError(t, err)
	assert.Equal(t, defaultRateLimit, cfg.Backend.RateLimit)
	assert.Nil(t, cfg.MySQL)
	assert.Equal(t, filepath.Join(dir, defaultSQLiteFile), cfg.SQLite.Path, "relative to the config file")
	assert.EqualValues(t, 10, cfg.Stock())

	cfg, err = ParseConfig([]byte(strings.Replace(validConfig, `"redis"`,
		`"mysql": {"host": "db", "user": "u", "pass_word": "p", "db_name": "shop"}, "redis"`, 1)))
	require.NoError(t, err)
	assert.Equal(t, defaultMySQLPort, cfg.MySQL.Port)
	assert.Nil(t, cfg.SQLite)
}

// TestConfigErrors: each bad file stops start-up with a message naming the
// key at fault.
func TestConfigErrors(t *testing.T) {
	replace := func(old, new string) string { return strings.Replace(validConfig, old, new, 1) }
	cases := []struct{ name, json, want string }{
		{"unknown top-level key", replace(`"redis"`, `"rabbitmq": {}, "redis"`), `unknown key "rabbitmq"`},
		{"unknown nested key", replace(`"api_port"`, `"apiport": 1, "api_port"`), `unknown key "apiport"`},
		{"wrong type", replace(`8080`, `"8080"`), "backend.api_port: want a int, not a JSON string"},
		{"port out of range", replace(`8080`, `70000`), "backend.api_port: 70000 is not a TCP port"},
		{"missing port", replace(`"api_port": 8080, `, ``), "backend.api_port: 0 is not a TCP port"},
		{"short secret", replace(`0123456789abcdef`, `short`), "backend.api_secret: want at least 16"},
		{"negative rate", replace(`"api_port"`, `"rate_limit": -1, "api_port"`), "backend.rate_limit: -1 is negative"},
		{"no redis", replace(`["127.0.0.1:7001"]`, `[]`), "redis.addrs: list at least one"},
		{"bad redis addr", replace(`127.0.0.1:7001`, `localhost`), `redis.addrs[0]: "localhost" is not "host:port"`},
		{"bad redis port", replace(`127.0.0.1:7001`, `h:x`), `redis.addrs[0]: "h:x": "x" is not a TCP port`},
		{"no products", replace(`[{"id": "phone", "stock": 10}]`, `[]`), "products: list at least one"},
		{"hash tag in id", replace(`"phone"`, `"a{b}"`), `products[0].id: "a{b}" is not`},
		{"duplicate id", replace(`{"id": "phone", "stock": 10}`, `{"id": "phone", "stock": 10}, {"id": "phone", "stock": 1}`), `products[1].id: "phone" is listed twice`},
		{"negative stock", replace(`"stock": 10`, `"stock": -1`), "products[0].stock: -1 is negative"},
		{"mysql without host", replace(`"redis"`, `"mysql": {"user": "u", "db_name": "d"}, "redis"`), "mysql.host: empty"},
		{"mysql bad db name", replace(`"redis"`, `"mysql": {"host": "h", "user": "u", "db_name": "a;b"}, "redis"`), `mysql.db_name: "a;b"`},
		{"mysql and sqlite", replace(`"redis"`, `"mysql": {"host": "h", "user": "u", "db_name": "d"}, "sqlite": {}, "redis"`), "not both"},
		{"trailing data", validConfig + `{}`, "trailing data"},
		{"not json", `{`, "unexpected EOF"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tc.json))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
