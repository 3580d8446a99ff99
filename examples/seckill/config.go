package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Config is config.json: the seed's keys (backend, mysql, redis) plus the
// products on sale and, without a mysql section, where the embedded SQLite
// file lives. Load returns it validated; the zero value is not valid.
type Config struct {
	Backend  Backend   `json:"backend"`
	MySQL    *MySQL    `json:"mysql,omitempty"`
	SQLite   *SQLite   `json:"sqlite,omitempty"`
	Redis    Redis     `json:"redis"`
	Products []Product `json:"products"`
}

// Backend configures the web servers.
type Backend struct {
	APIPort   int    `json:"api_port"`
	APISecret string `json:"api_secret"` // keys the tokens' HMAC and /admin
	RateLimit int    `json:"rate_limit"` // /check attempts per user per second; 0: defaultRateLimit
}

// MySQL is where the workers store orders when it is present.
type MySQL struct {
	Host     string `json:"host"` // a host name or address, or a unix socket's absolute path
	Port     int    `json:"port"` // 0: 3306
	User     string `json:"user"`
	PassWord string `json:"pass_word"`
	DBName   string `json:"db_name"`
}

// SQLite is the embedded store used when there is no mysql section.
type SQLite struct {
	Path string `json:"path"` // relative paths are relative to the config file
}

// Redis lists the MyRedis nodes: one address for a single node, several
// for a cluster (go-redis's ClusterClient).
type Redis struct {
	Addrs    []string `json:"addrs"`
	Password string   `json:"password"`
}

// A Product is on sale with an initial stock.
type Product struct {
	ID    string `json:"id"`
	Stock int64  `json:"stock"`
}

const (
	defaultRateLimit  = 5
	defaultMySQLPort  = 3306
	defaultSQLiteFile = "seckill.db"
	minSecretLen      = 16
)

// idPattern is what user and product ids may hold: no braces, so that a
// product id never changes the hash tag of its keys, and nothing a URL or
// a stream field would need to escape.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// dbNamePattern keeps db_name a plain identifier, safe in CREATE DATABASE.
var dbNamePattern = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)

// LoadConfig reads and validates the config file at path. Unknown keys,
// trailing data and bad values are errors naming the file and the key.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	cfg, err := ParseConfig(data)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if cfg.SQLite != nil && !filepath.IsAbs(cfg.SQLite.Path) {
		cfg.SQLite.Path = filepath.Join(filepath.Dir(path), cfg.SQLite.Path)
	}
	return cfg, nil
}

// ParseConfig decodes and validates a config file's contents, filling in
// the defaults (rate limit, MySQL port, SQLite file).
func ParseConfig(data []byte) (*Config, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var cfg Config
	if err := dec.Decode(&cfg); err != nil {
		return nil, decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON object")
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// decodeError rewords encoding/json's errors for a person editing the file.
func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		return fmt.Errorf("%s: want a %s, not a JSON %s", typeErr.Field, typeErr.Type, typeErr.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("unknown key %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return err
}

func (c *Config) validate() error {
	if err := validPort("backend.api_port", c.Backend.APIPort); err != nil {
		return err
	}
	if len(c.Backend.APISecret) < minSecretLen {
		return fmt.Errorf("backend.api_secret: want at least %d characters (a random string)", minSecretLen)
	}
	switch {
	case c.Backend.RateLimit < 0:
		return fmt.Errorf("backend.rate_limit: %d is negative", c.Backend.RateLimit)
	case c.Backend.RateLimit == 0:
		c.Backend.RateLimit = defaultRateLimit
	}
	if c.MySQL != nil {
		if err := c.MySQL.validate(); err != nil {
			return err
		}
		if c.SQLite != nil {
			return errors.New("sqlite: give either a mysql or a sqlite section, not both")
		}
	} else {
		if c.SQLite == nil {
			c.SQLite = &SQLite{}
		}
		if c.SQLite.Path == "" {
			c.SQLite.Path = defaultSQLiteFile
		}
	}
	if len(c.Redis.Addrs) == 0 {
		return errors.New("redis.addrs: list at least one MyRedis node as \"host:port\"")
	}
	for i, a := range c.Redis.Addrs {
		if err := validAddr(a); err != nil {
			return fmt.Errorf("redis.addrs[%d]: %w", i, err)
		}
	}
	if len(c.Products) == 0 {
		return errors.New("products: list at least one {\"id\": …, \"stock\": …}")
	}
	seen := make(map[string]bool)
	for i, p := range c.Products {
		switch {
		case !idPattern.MatchString(p.ID):
			return fmt.Errorf("products[%d].id: %q is not 1 to 64 letters, digits, '_' or '-'", i, p.ID)
		case seen[p.ID]:
			return fmt.Errorf("products[%d].id: %q is listed twice", i, p.ID)
		case p.Stock < 0:
			return fmt.Errorf("products[%d].stock: %d is negative", i, p.Stock)
		}
		seen[p.ID] = true
	}
	return nil
}

func (m *MySQL) validate() error {
	if m.Host == "" {
		return errors.New("mysql.host: empty (a host name, an address or a unix socket's absolute path)")
	}
	if m.Port == 0 {
		m.Port = defaultMySQLPort
	}
	if err := validPort("mysql.port", m.Port); err != nil {
		return err
	}
	if m.User == "" {
		return errors.New("mysql.user: empty")
	}
	if !dbNamePattern.MatchString(m.DBName) {
		return fmt.Errorf("mysql.db_name: %q is not 1 to 64 letters, digits or '_'", m.DBName)
	}
	return nil
}

func validPort(key string, port int) error {
	if port < 1 || port > 65535 {
		return fmt.Errorf("%s: %d is not a TCP port (1-65535)", key, port)
	}
	return nil
}

func validAddr(a string) error {
	host, port, err := net.SplitHostPort(a)
	if err != nil || host == "" {
		return fmt.Errorf("%q is not \"host:port\"", a)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%q: %q is not a TCP port (1-65535)", a, port)
	}
	return nil
}

// Stock returns the total initial stock of every product.
func (c *Config) Stock() int64 {
	var n int64
	for _, p := range c.Products {
		n += p.Stock
	}
	return n
}
