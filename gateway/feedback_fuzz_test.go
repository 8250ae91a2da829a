package gateway_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/yardstick-dev/yardstick/gateway"
	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/principal"
)

// A complete scorecard for the rubric FuzzScorecardBodies derives from tiny
// (level l2: craft and impact, on a 1..4 scale).
const scorecardBody = `{"ratings":[{"competency":"craft","score":3,"evidence":"Wrote the tests first."},
{"competency":"impact","score":2,"evidence":"Scoped the project."}],"recommendation":"RECOMMENDATION_YES","noteToPanel":"Solid.","privateNote":"Mine."}`

// FuzzScorecardBodies sends arbitrary JSON bodies, through the real gateway,
// feedback, rubric and ladder services and the embedded database, to an
// interviewer's draft (PATCH …/scorecard), submit (POST …/scorecard:submit)
// and amend (POST …/scorecard:amend), each on an interview of its own, and
// to a recruiter's POST /v1/candidates: never a 5xx, never a dropped
// connection, errors as JSON statuses.
func FuzzScorecardBodies(f *testing.F) {
	l := testenv.StartLadder(f)
	srv := serveGateway(f, l, gateway.Options{})
	const interviewer = "users/ivy"
	admin := fuzzSender(f, srv.URL, l.Token(testenv.AdminSubject, principal.Admin))
	recruiter := fuzzSender(f, srv.URL, l.Token("users/rita", principal.Recruiter))
	ivy := fuzzSender(f, srv.URL, l.Token(interviewer, principal.Interviewer))
	const scorecard = "/v1/candidates/fuzzed/interviews/"
	interview := `{"interviewer":"` + interviewer + `","rubric":"rubrics/fuzz/revisions/1"}`
	for _, setup := range []struct { // in this order: every fuzzing process runs it again
		send               func(t testing.TB, method, path, body string) (int, string, []byte)
		method, path, body string
	}{
		{admin, "POST", "/v1/frameworks?framework_id=eng", tiny},
		{admin, "POST", "/v1/frameworks/eng:publish", `{}`},
		{admin, "POST", "/v1/rubrics:derive", `{"rubricId":"fuzz","framework":"frameworks/eng","track":"ic","level":"l2","interviewType":"coding","scale":{"min":1,"max":4}}`},
		{admin, "POST", "/v1/rubrics/fuzz:publish", `{}`},
		{recruiter, "POST", "/v1/candidates?candidate_id=fuzzed", `{"displayName":"Fuzz","role":"ic","level":"l2"}`},
		{recruiter, "POST", scorecard[:len(scorecard)-1] + "?interview_id=draft", interview},
		{recruiter, "POST", scorecard[:len(scorecard)-1] + "?interview_id=submit", interview},
		{recruiter, "POST", scorecard[:len(scorecard)-1] + "?interview_id=amend", interview},
		{ivy, "PATCH", scorecard + "submit/scorecard", scorecardBody},
		{ivy, "PATCH", scorecard + "amend/scorecard", scorecardBody},
		{ivy, "POST", scorecard + "amend/scorecard:submit", `{"etag":"1","requestId":"setup"}`},
	} {
		if code, _, raw := setup.send(f, setup.method, setup.path, setup.body); code != http.StatusOK {
			f.Fatalf("%s %s = %d %s", setup.method, setup.path, code, raw)
		}
	}
	huge := strings.Repeat("evidence ", 8000)
	for _, body := range []string{
		scorecardBody,
		`{}`, ``, `null`, `[]`, `"ratings"`,
		`{"ratings":[{"competency":"craft","score":2147483647}],"etag":"1"}`,
		`{"ratings":[{"competency":"craft","score":-2147483648}],"etag":"1"}`,
		`{"ratings":[{"competency":"craft","score":2147483648}]}`,
		`{"ratings":[{"competency":"craft","score":1e400}]}`,
		`{"ratings":[{"competency":"craft","score":"3"}]}`,
		`{"ratings":[{"competency":"craft","score":3},{"competency":"craft","score":1}],"recommendation":"RECOMMENDATION_NO"}`,
		`{"ratings":[{"competency":"nope","score":3}],"reason":"typo"}`,
		`{"ratings":[{"competency":"","score":0}],"reason":"empty"}`,
		`{"ratings":[{"competency":"craft","notAssessed":true,"score":9}],"reason":"not seen"}`,
		`{"ratings":[{"competency":"impact","not_assessed":true,"score":-2147483648}],"etag":"1"}`,
		`{"recommendation":99,"reason":"unknown"}`,
		`{"recommendation":-1,"etag":"1"}`,
		`{"recommendation":2147483647}`,
		`{"recommendation":"RECOMMENDATION_MAYBE"}`,
		`{"recommendation":"RECOMMENDATION_STRONG_NO","reason":"re-read my notes","etag":"2"}`,
		`{"ratings":[{"competency":"craft","score":1,"evidence":"Changed my mind."}],"reason":"re-read my notes","requestId":"r1"}`,
		`{"ratings":[{"competency":"craft","score":1}],"reason":""}`,
		`{"ratings":[{"competency":"craft","score":1}],"reason":"` + strings.Repeat("r", 1001) + `"}`,
		`{"ratings":[{"competency":"craft","score":3,"evidence":"` + huge + `"}]}`,
		`{"ratings":[{"competency":"craft","score":3,"evidence":"` + strings.Repeat("e", 4001) + `"}],"etag":"1"}`,
		`{"noteToPanel":"` + huge + `","privateNote":"` + huge + `"}`,
		`{"ratings":[` + strings.Repeat(`{"competency":"craft","score":1},`, 200) + `{"competency":"impact","score":1}]}`,
		`{"etag":"1"}`, `{"etag":"99999999999999999999"}`, `{"etag":"-1"}`, `{"etag":""}`,
		`{"requestId":"r1"}`, `{"requestId":"not a valid id!"}`, `{"requestId":"` + strings.Repeat("a", 129) + `"}`,
		`{"name":"candidates/other/interviews/x/scorecard","etag":"1"}`,
		`{"state":"STATE_SUBMITTED","submitter":"users/mallory","interviewer":"users/mallory","rubric":"rubrics/other/revisions/1"}`,
		`{"submitTime":"not a time","updateTime":"0001-01-01T00:00:00Z"}`,
		`{"ratings":{"competency":"craft"}}`,
		`{"ratings":[null]}`,
		`{"ratings":[{"competency":"\ud800","score":1}]}`,
		`{"displayName":"Ada","role":"ic","level":"l2"}`,
		`{"displayName":"Ada","role":"IC","level":"l2","state":99}`,
		`{"displayName":"","role":"ic","level":"l2","state":"STATE_WITHDRAWN"}`,
		`{"displayName":"\u0000","role":"-","level":"l2"}`,
		`{"displayName":"Ada","role":"ic","level":"l2","externalId":"` + huge + `"}`,
		`{"displayName":"Ada","role":"ic","level":"l2","name":"candidates/forged","etag":"7","createTime":"2020-01-01T00:00:00Z"}`,
		strings.Repeat(`{"ratings":[`, 10000) + strings.Repeat(`]}`, 10000),
		strings.Repeat(`{"a":`, 20000) + strings.Repeat(`}`, 20000),
		`{"ratings":[]} trailing`,
	} {
		for target := range uint8(4) {
			f.Add(target, body)
		}
	}
	f.Fuzz(func(t *testing.T, target uint8, body string) {
		send, method, path := ivy, "PATCH", scorecard+"draft/scorecard"
		switch target % 4 {
		case 1:
			method, path = "POST", scorecard+"submit/scorecard:submit"
		case 2:
			method, path = "POST", scorecard+"amend/scorecard:amend"
		case 3:
			send, method, path = recruiter, "POST", "/v1/candidates?candidate_id=created"
		}
		code, contentType, raw := send(t, method, path, body)
		checkFuzzAnswer(t, method, path, body, code, contentType, raw)
	})
}
