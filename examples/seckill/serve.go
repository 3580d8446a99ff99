package main

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// serveMain is "seckill serve": it loads the buy script, puts the
// configured products on sale (unless already on sale) and serves HTTP
// until SIGINT or SIGTERM.
func serveMain(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	configPath := fs.String("config", "config.json", "the config file")
	port := fs.Int("port", 0, "listen on this port instead of backend.api_port")
	host := fs.String("host", "", "listen on this address only (default: every address)")
	fs.Parse(args)
	cfg, err := LoadConfig(*configPath)
	if err != nil {
		return err
	}
	if *port != 0 {
		cfg.Backend.APIPort = *port
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rdb := newRedisClient(cfg.Redis)
	defer rdb.Close()
	sale := &Sale{rdb: rdb}
	if err := sale.Load(ctx); err != nil {
		return fmt.Errorf("loading the buy script: %w", err)
	}
	for _, p := range cfg.Products {
		if err := sale.Stock(ctx, p); err != nil {
			return fmt.Errorf("putting %s on sale: %w", p.ID, err)
		}
	}
	addr := net.JoinHostPort(*host, strconv.Itoa(cfg.Backend.APIPort))
	srv := &http.Server{Addr: addr, Handler: NewAPI(cfg, sale, time.Now).Handler(), ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Printf("seckill serve: listening on %s (pid %d)", addr, os.Getpid())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// An API is the web server's handlers. It keeps no sale state: every
// answer comes from the token itself or from MyRedis. Safe for concurrent
// use.
type API struct {
	cfg    *Config
	sale   *Sale
	tokens *Tokens
	now    func() time.Time
}

// NewAPI returns the handlers of cfg's sale, reading the time from now.
func NewAPI(cfg *Config, sale *Sale, now func() time.Time) *API {
	return &API{cfg: cfg, sale: sale, tokens: NewTokens(cfg.Backend.APISecret, now), now: now}
}

// Handler routes the API's endpoints.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.page)
	mux.HandleFunc("GET /token", a.token)
	mux.HandleFunc("GET /check", a.check)
	mux.HandleFunc("GET /stock", a.stock)
	mux.HandleFunc("POST /admin/stock", a.adminStock)
	return mux
}

// A reply is every JSON answer's shape; empty fields are left out.
type reply struct {
	OK      bool   `json:"ok"`
	Reason  string `json:"reason,omitempty"`
	OrderID string `json:"order_id,omitempty"`
	Token   string `json:"token,omitempty"`
	Expires int64  `json:"expires,omitempty"`
	PID     string `json:"pid,omitempty"`
	Stock   *int64 `json:"stock,omitempty"`
	Sold    *int64 `json:"sold,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, r reply) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(r)
}

// fail answers status with reason.
func fail(w http.ResponseWriter, status int, reason string) {
	writeJSON(w, status, reply{Reason: reason})
}

// unavailable answers 503 for an error of MyRedis's, and logs it.
func unavailable(w http.ResponseWriter, r *http.Request, err error) {
	log.Printf("seckill serve: %s: %v", r.URL.Path, err)
	fail(w, http.StatusServiceUnavailable, "unavailable")
}

// ids reads and checks the uid and pid parameters, answering 400 when one
// is not an id.
func ids(w http.ResponseWriter, r *http.Request) (uid, pid string, ok bool) {
	uid, pid = r.FormValue("uid"), r.FormValue("pid")
	if !idPattern.MatchString(uid) || !idPattern.MatchString(pid) {
		fail(w, http.StatusBadRequest, "bad_uid_or_pid")
		return "", "", false
	}
	return uid, pid, true
}

// token answers GET /token?uid=U&pid=P with a token valid for tokenTTL.
func (a *API) token(w http.ResponseWriter, r *http.Request) {
	uid, pid, ok := ids(w, r)
	if !ok {
		return
	}
	tok, exp := a.tokens.Issue(uid, pid)
	writeJSON(w, http.StatusOK, reply{OK: true, Token: tok, Expires: exp.Unix()})
}

// check answers GET /check?uid=U&pid=P&token=T: 403 for a missing, forged
// or expired token (before any request to MyRedis), 429 past the user's
// rate limit, then the buy script's answer: 200 with the order id, 409
// sold_out or already_bought.
func (a *API) check(w http.ResponseWriter, r *http.Request) {
	uid, pid, ok := ids(w, r)
	if !ok {
		return
	}
	if err := a.tokens.Verify(uid, pid, r.FormValue("token")); err != nil {
		fail(w, http.StatusForbidden, err.Error())
		return
	}
	ctx := r.Context()
	allowed, err := a.sale.Allow(ctx, uid, a.cfg.Backend.RateLimit, a.now())
	if err != nil {
		unavailable(w, r, err)
		return
	}
	if !allowed {
		fail(w, http.StatusTooManyRequests, "rate_limited")
		return
	}
	orderID, reason, err := a.sale.Buy(ctx, uid, pid)
	switch {
	case err != nil:
		unavailable(w, r, err)
	case orderID == "":
		fail(w, http.StatusConflict, reason)
	default:
		writeJSON(w, http.StatusOK, reply{OK: true, OrderID: orderID})
	}
}

// stock answers GET /stock?pid=P with the units left and sold.
func (a *API) stock(w http.ResponseWriter, r *http.Request) {
	pid := r.FormValue("pid")
	if !idPattern.MatchString(pid) {
		fail(w, http.StatusBadRequest, "bad_pid")
		return
	}
	left, sold, err := a.sale.Counts(r.Context(), pid)
	switch {
	case errors.Is(err, errUnknownProduct):
		fail(w, http.StatusNotFound, err.Error())
	case err != nil:
		unavailable(w, r, err)
	default:
		writeJSON(w, http.StatusOK, reply{OK: true, PID: pid, Stock: &left, Sold: &sold})
	}
}

// adminStock answers POST /admin/stock with pid and stock (form or query)
// and the header "Authorization: Bearer SECRET": it sets the units of pid
// left, putting a new product on sale or restocking one.
func (a *API) adminStock(w http.ResponseWriter, r *http.Request) {
	want := "Bearer " + a.cfg.Backend.APISecret
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(want)) != 1 {
		fail(w, http.StatusForbidden, "bad_secret")
		return
	}
	pid := r.FormValue("pid")
	stock, err := strconv.ParseInt(r.FormValue("stock"), 10, 64)
	if !idPattern.MatchString(pid) || err != nil || stock < 0 {
		fail(w, http.StatusBadRequest, "bad_pid_or_stock")
		return
	}
	if err := a.sale.SetStock(r.Context(), pid, stock); err != nil {
		unavailable(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, reply{OK: true, PID: pid, Stock: &stock})
}
