package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCheckRefusesBadTokensWithoutRedis: /check answers 403 for missing,
// forged and expired tokens before it asks MyRedis anything (the client
// here points at a closed port, so any request to it would answer 503),
// and 400 for ids that could break a key's hash tag.
func TestCheckRefusesBadTokensWithoutRedis(t *testing.T) {
	cfg, err := ParseConfig([]byte(validConfig))
	require.NoError(t, err)
	cfg.Redis.Addrs = []string{"127.0.0.1:1"}
	rdb := newRedisClient(cfg.Redis)
	t.Cleanup(func() { rdb.Close() })
	now := time.Now()
	api := NewAPI(cfg, &Sale{rdb: rdb}, func() time.Time { return now })
	h := api.Handler()
	expired, _ := NewTokens(cfg.Backend.APISecret, func() time.Time { return now.Add(-tokenTTL) }).Issue("u1", "phone")
	valid, _ := api.tokens.Issue("u1", "phone")

	cases := []struct {
		name, query string
		status      int
		body        string
	}{
		{"missing", "uid=u1&pid=phone", 403, `"missing_token"`},
		{"forged", "uid=u1&pid=phone&token=1.x", 403, `"forged_token"`},
		{"another user's", "uid=u2&pid=phone&token=" + valid, 403, `"forged_token"`},
		{"expired", "uid=u1&pid=phone&token=" + expired, 403, `"expired_token"`},
		{"hash tag in uid", "uid=a%7Bb%7D&pid=phone&token=" + valid, 400, `"bad_uid_or_pid"`},
		{"valid reaches MyRedis", "uid=u1&pid=phone&token=" + valid, 503, `"unavailable"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/check?"+tc.query, nil))
			assert.Equal(t, tc.status, rec.Code)
			assert.Contains(t, rec.Body.String(), tc.body)
		})
	}

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/admin/stock?pid=phone&stock=1", nil))
	assert.Equal(t, 403, rec.Code, "admin without the secret")
}
