package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// tokenTTL is how long a token stays valid.
const tokenTTL = 60 * time.Second

// The reasons Verify refuses a token, also the reasons /check answers 403.
var (
	errNoToken      = errors.New("missing_token")
	errForgedToken  = errors.New("forged_token")
	errExpiredToken = errors.New("expired_token")
)

// Tokens issues and verifies buy tokens: "EXPIRY.MAC", where EXPIRY is a
// Unix time in seconds and MAC the unpadded base64url HMAC-SHA256, keyed by
// the API secret, of the user id, the product id and EXPIRY. Any server
// with the secret verifies any server's tokens: nothing is stored. A
// Tokens is safe for concurrent use.
type Tokens struct {
	secret []byte
	now    func() time.Time
}

// NewTokens returns Tokens keyed by secret, reading the time from now.
func NewTokens(secret string, now func() time.Time) *Tokens {
	return &Tokens{secret: []byte(secret), now: now}
}

// Issue returns a token for uid buying pid, valid for tokenTTL, and its
// expiry.
func (t *Tokens) Issue(uid, pid string) (string, time.Time) {
	exp := t.now().Add(tokenTTL).Truncate(time.Second)
	e := strconv.FormatInt(exp.Unix(), 10)
	return e + "." + t.mac(uid, pid, e), exp
}

// Verify returns nil when token is one Issue made for uid and pid and it
// has not expired, errNoToken, errForgedToken or errExpiredToken otherwise.
func (t *Tokens) Verify(uid, pid, token string) error {
	if token == "" {
		return errNoToken
	}
	e, mac, ok := strings.Cut(token, ".")
	exp, err := strconv.ParseInt(e, 10, 64)
	if !ok || err != nil || !hmac.Equal([]byte(mac), []byte(t.mac(uid, pid, e))) {
		return errForgedToken
	}
	if now := t.now(); now.Unix() >= exp {
		return errExpiredToken
	} else if exp > now.Add(tokenTTL+time.Second).Unix() {
		return errForgedToken // the secret leaked, or a clock jumped back
	}
	return nil
}

// mac is the MAC of one token; the NUL bytes keep ("a", "bc") and
// ("ab", "c") apart.
func (t *Tokens) mac(uid, pid, exp string) string {
	h := hmac.New(sha256.New, t.secret)
	h.Write([]byte(uid + "\x00" + pid + "\x00" + exp))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}
