package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestTokens(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now }
	tokens := NewTokens("0123456789abcdef", clock)
	good, exp := tokens.Issue("u1", "phone")
	assert.Equal(t, now.Add(tokenTTL), exp)
	other := NewTokens("fedcba9876543210", clock)
	forgedMAC, _ := other.Issue("u1", "phone")

	cases := []struct {
		name, uid, pid, token string
		age                   time.Duration
		want                  error
	}{
		{"valid", "u1", "phone", good, 0, nil},
		{"valid until the last second", "u1", "phone", good, tokenTTL - time.Second, nil},
		{"expired", "u1", "phone", good, tokenTTL, errExpiredToken},
		{"missing", "u1", "phone", "", 0, errNoToken},
		{"another user", "u2", "phone", good, 0, errForgedToken},
		{"another product", "u1", "tv", good, 0, errForgedToken},
		{"another secret", "u1", "phone", forgedMAC, 0, errForgedToken},
		{"garbage", "u1", "phone", "not-a-token", 0, errForgedToken},
		{"expiry moved", "u1", "phone", "9999999999" + good[10:], 0, errForgedToken},
		{"uid and pid shifted", "u1p", "hone", good, 0, errForgedToken},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now = time.Unix(1_800_000_000, 0).Add(tc.age)
			assert.Equal(t, tc.want, tokens.Verify(tc.uid, tc.pid, tc.token))
		})
	}
}
