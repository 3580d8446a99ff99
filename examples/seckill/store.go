package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// An Order is one sale: the stream entry's id, the user and the product.
type Order struct {
	ID, UID, PID string
}

// A Store keeps the orders in SQL, one row per (user, product): inserting
// an order again (a redelivery) changes nothing. Safe for concurrent use,
// by several processes too.
type Store struct {
	db     *sql.DB
	insert string // the dialect's insert that ignores a duplicate (user, product)
}

const createOrders = `CREATE TABLE IF NOT EXISTS orders (
  order_id   VARCHAR(64) NOT NULL,
  user_id    VARCHAR(64) NOT NULL,
  product_id VARCHAR(64) NOT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE (user_id, product_id)
)`

// OpenStore opens the configured store, creating the MySQL database and
// the orders table when missing: MySQL when cfg has a mysql section, the
// SQLite file otherwise.
func OpenStore(ctx context.Context, cfg *Config) (*Store, error) {
	var s *Store
	var err error
	if cfg.MySQL != nil {
		s, err = openMySQL(ctx, cfg.MySQL)
	} else {
		s, err = openSQLite(cfg.SQLite.Path)
	}
	if err != nil {
		return nil, err
	}
	if err := s.createTable(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("creating the orders table: %w", err)
	}
	return s, nil
}

// createTable creates the orders table if missing. SQLite can refuse it
// with SQLITE_BUSY at once, without waiting for its busy timeout, when
// another process opens the same file at the same moment (switching it to
// WAL, or creating the table too): that is retried for a few seconds.
func (s *Store) createTable(ctx context.Context) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := s.db.ExecContext(ctx, createOrders)
		var lite *sqlite.Error
		if err == nil || !errors.As(err, &lite) || lite.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// openSQLite opens the file in WAL mode with a busy timeout, so that
// several workers' processes can write to it in turn.
func openSQLite(path string) (*Store, error) {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	return &Store{db: db, insert: `INSERT INTO orders (order_id, user_id, product_id) VALUES (?, ?, ?)
ON CONFLICT (user_id, product_id) DO NOTHING`}, nil
}

func openMySQL(ctx context.Context, m *MySQL) (*Store, error) {
	mc := mysql.NewConfig()
	mc.User, mc.Passwd = m.User, m.PassWord
	if strings.HasPrefix(m.Host, "/") {
		mc.Net, mc.Addr = "unix", m.Host
	} else {
		mc.Net, mc.Addr = "tcp", m.Host+":"+strconv.Itoa(m.Port)
	}
	server, err := sql.Open("mysql", mc.FormatDSN())
	if err != nil {
		return nil, err
	}
	defer server.Close()
	if _, err := server.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS "+m.DBName); err != nil {
		return nil, fmt.Errorf("mysql %s: %w", mc.Addr, err)
	}
	mc.DBName = m.DBName
	db, err := sql.Open("mysql", mc.FormatDSN())
	if err != nil {
		return nil, err
	}
	return &Store{db: db, insert: `INSERT INTO orders (order_id, user_id, product_id) VALUES (?, ?, ?)
ON DUPLICATE KEY UPDATE order_id = order_id`}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Insert stores o unless its user already has an order for its product.
func (s *Store) Insert(ctx context.Context, o Order) error {
	if _, err := s.db.ExecContext(ctx, s.insert, o.ID, o.UID, o.PID); err != nil {
		return fmt.Errorf("inserting order %s: %w", o.ID, err)
	}
	return nil
}

// Orders returns pid's orders.
func (s *Store) Orders(ctx context.Context, pid string) ([]Order, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT order_id, user_id, product_id FROM orders WHERE product_id = ?`, pid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Order
	for rows.Next() {
		var o Order
		if err := rows.Scan(&o.ID, &o.UID, &o.PID); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
