package glob

import "testing"

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		nocase     bool
		want       bool
	}{
		{"*", "", false, false},
		{"**", "", false, false},
		{"a*", "a", false, true},
		{"[c-]", "a", false, true},
		{"[c-]", "-", false, false},
		{"[c-]x", "]x", false, false}, // the class runs on: ] to c, and x
		{"[c-]x", "x", false, true},
		{"[a-]]", "]", false, true},
		{"[a-]]", "^", false, true},
		{"[a-]]", "b", false, false},
		{"*", "anything", false, true},
		{"h?llo", "hello", false, true},
		{"h?llo", "hllo", false, false},
		{"h*llo", "heeeello", false, true},
		{"h*llo", "hllo", false, true},
		{"h[ae]llo", "hallo", false, true},
		{"h[ae]llo", "hillo", false, false},
		{"h[^e]llo", "hallo", false, true},
		{"h[^e]llo", "hello", false, false},
		{"h[a-b]llo", "hbllo", false, true},
		{"h[b-a]llo", "hallo", false, true},
		{"h[a-b]llo", "hcllo", false, false},
		{`h\*llo`, "h*llo", false, true},
		{`h\*llo`, "hello", false, false},
		{`[\]]`, "]", false, true},
		{"user:*:name", "user:42:name", false, true},
		{"user:*:name", "user:42:age", false, false},
		{"HELLO", "hello", true, true},
		{"HELLO", "hello", false, false},
		{"[A-C]x", "bx", true, true},
		{"*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false, false},
		{"a*", "a", false, true},
		{"a*b", "ab", false, true},
		{"a*b", "acbd", false, false},
		{"*b*", "abc", false, true},
		{"[abc", "b", false, true},
		{"", "", false, true},
		{"", "a", false, false},
		{"?", "", false, false},
	}
	for _, tt := range tests {
		if got := Match([]byte(tt.pattern), []byte(tt.s), tt.nocase); got != tt.want {
			t.Errorf("Match(%q, %q, %v) = %v, want %v", tt.pattern, tt.s, tt.nocase, got, tt.want)
		}
	}
}
