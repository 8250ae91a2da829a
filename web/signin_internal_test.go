package web

import "testing"

func TestSafeNext(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"/candidates/demo-ada?x=1", "/candidates/demo-ada?x=1"},
		{"", "/"},
		{"//evil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/\\evil.example", "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"relative/path", "/"},
	} {
		if got := safeNext(tt.in); got != tt.want {
			t.Errorf("safeNext(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
