package gateway_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/yardstick-dev/yardstick/gateway"
	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/principal"
)

// A complete rubric on a 1..3 scale.
const rubricBody = `{"title":"Coding","role":"ic","level":"l2","interview_type":"coding","scale":{"min":1,"max":3},
"competencies":[{"id":"craft","title":"Craft","weight":2,"evidence_required":true,
 "questions":[{"text":"Build a queue.","follow_ups":["Why?"],"what_good_looks_like":"Tests."}],
 "anchors":[{"score":1,"description":"Below"},{"score":2,"description":"Meets"},{"score":3,"description":"Above"}]}]}`

// FuzzRubricBodies sends arbitrary JSON bodies to create, update and derive
// rubrics through the real gateway, rubric and ladder services and the
// embedded database: never a 5xx, never a dropped connection, errors as
// JSON statuses.
func FuzzRubricBodies(f *testing.F) {
	l := testenv.StartLadder(f)
	srv := serveGateway(f, l, gateway.Options{})
	send := fuzzSender(f, srv.URL, l.Token(testenv.AdminSubject, principal.Admin))
	for _, setup := range []struct{ path, body string }{ // in this order
		{"/v1/frameworks?framework_id=eng", tiny},
		{"/v1/frameworks/eng:publish", `{}`},
		{"/v1/rubrics?rubric_id=patched", rubricBody},
	} {
		if code, _, raw := send(f, "POST", setup.path, setup.body); code != http.StatusOK {
			f.Fatalf("POST %s = %d %s", setup.path, code, raw)
		}
	}
	for _, body := range []string{
		rubricBody,
		`{}`, ``, `null`, `[]`,
		`{"framework":"frameworks/eng","track":"ic","level":"l2","interview_type":"coding"}`,
		`{"framework":"frameworks/eng","track":"ic","level":"l2","interview_type":"coding","scale":{"min":0,"max":9}}`,
		`{"framework":"frameworks/eng","track":"ic","level":"l2","interview_type":"coding","competencies":["craft","craft"]}`,
		`{"framework":"frameworks/eng/revisions/latest","track":"ic","level":"l1","interview_type":"x","scale":{"min":2147483647,"max":-2147483648}}`,
		`{"scale":{"min":-5,"max":5},"etag":"1"}`,
		`{"scale":{"min":1,"max":3,"labels":[{"score":1,"label":""},{"score":1,"label":"twice"}]},"etag":"1"}`,
		`{"competencies":[{"id":"a","title":"A","weight":"NaN"}],"etag":"1"}`,
		`{"competencies":[{"id":"a","title":"A","weight":1e309}],"etag":"1"}`,
		`{"competencies":[{"id":"a","title":"A","anchors":[{"score":2147483647,"description":"x"}]}],"etag":"1"}`,
		`{"competencies":[{"anchors":[{"derived":true}]}],"source":{"frameworkRevision":"forged"},"etag":"1"}`,
		`{"title":"` + strings.Repeat("x", 70000) + `"}`,
		strings.Repeat(`{"a":`, 20000) + strings.Repeat(`}`, 20000),
	} {
		for target := range uint8(3) {
			f.Add(target, body)
		}
	}
	f.Fuzz(func(t *testing.T, target uint8, body string) {
		method, path := "POST", "/v1/rubrics?rubric_id=created"
		switch target % 3 {
		case 1:
			method, path = "PATCH", "/v1/rubrics/patched"
		case 2:
			path = "/v1/rubrics:derive"
		}
		code, contentType, raw := send(t, method, path, body)
		checkFuzzAnswer(t, method, path, body, code, contentType, raw)
	})
}
