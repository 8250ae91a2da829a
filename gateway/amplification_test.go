package gateway_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/yardstick-dev/yardstick/gateway"
)

// Inputs built to make the error larger or costlier than the request: the
// answer stays a small 400, comes quickly, and the gateway's connection to
// the service stays usable (the next request succeeds).
func TestRESTErrorAmplification(t *testing.T) {
	c := startGateway(t, gateway.Options{})

	// ~440 KB of competencies, each with a bad ID and no title: about
	// 30,000 violations before the cap.
	var comps []string
	for i := range 15_000 {
		comps = append(comps, fmt.Sprintf(`{"id":"Bad_%05d","title":""}`, i))
	}
	manyInvalid := `{"title":"","competencies":[` + strings.Join(comps, ",") + `]}`

	// A billion laughs in a second YAML document (decoded as "any", where
	// nothing stops an expansion but the decoder's own alias budget), and a
	// document within that budget whose aliases repeat long texts.
	laughs := "title: T\n---\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
	for i, prev := 'b', 'a'; i <= 'i'; i, prev = i+1, i {
		laughs += fmt.Sprintf("%c: &%c [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*%c, ", prev), 10), ", "))
	}
	wide := yamlWide()

	tests := []struct {
		name, method, path, body string
	}{
		{"create with thousands of invalid fields", "POST", "/v1/frameworks?framework_id=big", manyInvalid},
		{"import, a billion laughs", "POST", "/v1/frameworks:import", importBody(t, "laughs", laughs)},
		{"import, a billion laughs in the first document", "POST", "/v1/frameworks:import",
			importBody(t, "laughs", strings.TrimPrefix(laughs, "title: T\n---\n"))},
		{"import, aliases repeating long texts", "POST", "/v1/frameworks:import", importBody(t, "wide", wide)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := c
			c.t = t
			start := time.Now()
			resp, raw := c.send(tt.method, tt.path, strings.NewReader(tt.body), nil)
			took := time.Since(start)
			body := decodeStatusBody(t, tt.name, resp, raw)
			size := len(raw)
			t.Logf("%d-byte request: %d, %d-byte answer in %v: %.200s", len(tt.body), resp.StatusCode, size, took, body["message"])
			if resp.StatusCode != 400 {
				t.Errorf("%s %s = %d %v, want 400", tt.method, tt.path, resp.StatusCode, body)
			}
			if size > 16<<10 {
				t.Errorf("answer is %d bytes, want at most 16 KiB", size)
			}
			// Generous for a shared 2-core machine under -race; the log
			// line above has the figure.
			if took > 10*time.Second {
				t.Errorf("answer took %v", took)
			}
			if n, last := violations(body); n > 21 || (n == 21 && !strings.HasPrefix(last, "and ")) {
				t.Errorf("%d field violations, the last %q; want at most 20 and a line for the rest", n, last)
			}
			c.expect(200, "GET", "/v1/frameworks", "")
		})
	}
	// The first test's framework, valid this time, goes through.
	c.expect(200, "POST", "/v1/frameworks?framework_id=big", tiny)
}

// yamlWide is an interchange document within yaml.v3's alias budget that
// expands to 20 tracks of 30 levels, each expecting the same 4,000-character
// text 21 times in 100 expectations: about 5 GB of text if copied.
func yamlWide() string {
	var b strings.Builder
	b.WriteString("title: T\ndescription: &s " + strings.Repeat("y", 4000) + "\n")
	b.WriteString("competencies: [{id: c, title: C}]\ntracks:\n")
	b.WriteString("  - &t\n    id: t\n    title: T\n    levels:\n")
	b.WriteString("      - &l\n        id: l\n        title: L\n        expectations:\n")
	b.WriteString("          - &x {competency: c, description: *s, examples: [" + strings.TrimSuffix(strings.Repeat("*s, ", 20), ", ") + "]}\n")
	b.WriteString(strings.Repeat("          - *x\n", 99))
	b.WriteString(strings.Repeat("      - *l\n", 29))
	b.WriteString(strings.Repeat("  - *t\n", 19))
	return b.String()
}

func importBody(t *testing.T, id, content string) string {
	t.Helper()
	body, err := json.Marshal(map[string]string{"framework_id": id, "content": content})
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

// violations counts the BadRequest field violations of a JSON error body,
// and returns the description of the last.
func violations(body map[string]any) (n int, last string) {
	details, _ := body["details"].([]any)
	for _, d := range details {
		list, _ := d.(map[string]any)["fieldViolations"].([]any)
		for _, v := range list {
			n++
			last, _ = v.(map[string]any)["description"].(string)
		}
	}
	return n, last
}
