package gateway_test

import (
	"encoding/json"
	"testing"

	"github.com/yardstick-dev/yardstick/gateway"
)

// TestRESTRubricWalkthrough is the newcomer's path through REST: derive a
// rubric from a ladder level in one call, edit an anchor, publish, read the
// published revision.
func TestRESTRubricWalkthrough(t *testing.T) {
	c := startGateway(t, gateway.Options{})
	c.expect(200, "POST", "/v1/frameworks?framework_id=eng", tiny)
	c.expect(200, "POST", "/v1/frameworks/eng:publish", `{}`)

	r := c.expect(200, "POST", "/v1/rubrics:derive",
		`{"framework":"frameworks/eng","track":"ic","level":"l2","interview_type":"system-design"}`)
	if r["name"] != "rubrics/l2-system-design" || r["source"].(map[string]any)["frameworkRevision"] != "frameworks/eng/revisions/1" {
		t.Fatalf("derive = %v, want rubrics/l2-system-design from frameworks/eng/revisions/1", r)
	}
	// Edit the "meets the bar" anchor of the first competency.
	comps := r["competencies"].([]any)
	anchors := comps[0].(map[string]any)["anchors"].([]any)
	anchors[2].(map[string]any)["description"] = "Designs a component others build on, and says why."
	body, err := json.Marshal(map[string]any{"etag": r["etag"], "competencies": comps})
	if err != nil {
		t.Fatal(err)
	}
	edited := c.expect(200, "PATCH", "/v1/rubrics/l2-system-design?update_mask=competencies", string(body))
	rev := c.expect(200, "POST", "/v1/rubrics/l2-system-design:publish", `{"etag":"`+edited["etag"].(string)+`"}`)
	if rev["name"] != "rubrics/l2-system-design/revisions/1" {
		t.Fatalf("publish = %v, want revision 1", rev)
	}
	got := c.expect(200, "GET", "/v1/rubrics/l2-system-design/revisions/latest", "")
	anchor := got["snapshot"].(map[string]any)["competencies"].([]any)[0].(map[string]any)["anchors"].([]any)[2].(map[string]any)
	if anchor["description"] != "Designs a component others build on, and says why." || anchor["derived"] == true {
		t.Errorf("published anchor = %v, want the edited wording, no longer marked derived", anchor)
	}
	list := c.expect(200, "GET", "/v1/rubrics?level=l2&interview_type=system-design", "")
	if n := len(list["rubrics"].([]any)); n != 1 {
		t.Errorf("filtered list has %d rubrics, want 1", n)
	}
	c.expect(200, "GET", "/v1/rubrics/l2-system-design/revisions", "")
	c.expect(200, "GET", "/v1/rubrics/l2-system-design/changes", "")

	for _, tt := range []struct {
		name, method, path, body string
		want                     int
		field                    string
	}{
		{"missing level", "POST", "/v1/rubrics:derive", `{"framework":"frameworks/eng","track":"ic","level":"l9","interview_type":"coding"}`, 400, "level"},
		{"missing framework", "POST", "/v1/rubrics:derive", `{"framework":"frameworks/none","track":"ic","level":"l1","interview_type":"coding"}`, 404, ""},
		{"bad filter", "GET", "/v1/rubrics?role=Not%20A%20Slug", "", 400, "role"},
		{"stale etag", "PATCH", "/v1/rubrics/l2-system-design", `{"title":"T","etag":"1"}`, 409, ""},
		{"anchor off the scale", "PATCH", "/v1/rubrics/l2-system-design?update_mask=scale", `{"scale":{"min":1,"max":2},"etag":"` + edited["etag"].(string) + `"}`, 409, ""},
		{"bad revision", "GET", "/v1/rubrics/l2-system-design/revisions/0", "", 400, "name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := c
			c.t = t
			out := c.expect(tt.want, tt.method, tt.path, tt.body)
			if tt.field != "" && !namesField(out, tt.field) {
				t.Errorf("%s %s: error %v does not name field %q", tt.method, tt.path, out, tt.field)
			}
		})
	}
	// With the current etag, a scale that leaves anchors off it is 400 naming the anchor.
	cur := c.expect(200, "GET", "/v1/rubrics/l2-system-design", "")
	out := c.expect(400, "PATCH", "/v1/rubrics/l2-system-design?update_mask=scale", `{"scale":{"min":1,"max":2},"etag":"`+cur["etag"].(string)+`"}`)
	if !namesField(out, "rubric.competencies[0].anchors[2].score") {
		t.Errorf("shrinking the scale: %v, want a violation on the first anchor off it", out)
	}
}
