package gateway_test

import (
	"testing"

	"github.com/yardstick-dev/yardstick/gateway"
	"github.com/yardstick-dev/yardstick/pkg/principal"
)

// The blind rule holds through REST as through gRPC: an interviewer reads
// a colleague's scorecard only after submitting their own, a draft is its
// author's, a private note never leaves its author.
func TestRESTBlindUntilSubmitted(t *testing.T) {
	c := startGateway(t, gateway.Options{})
	c.expect(200, "POST", "/v1/frameworks?framework_id=eng", tiny)
	c.expect(200, "POST", "/v1/frameworks/eng:publish", `{}`)
	c.expect(200, "POST", "/v1/rubrics:derive", `{"rubric_id":"r","framework":"frameworks/eng","track":"ic","level":"l1","interview_type":"coding"}`)
	c.expect(200, "POST", "/v1/rubrics/r:publish", `{}`)
	recruiter := c.as(c.ladder.Token("users/rita", principal.Recruiter))
	ivan := c.as(c.ladder.Token("users/ivan", principal.Interviewer))
	omar := c.as(c.ladder.Token("users/omar", principal.Interviewer))
	recruiter.expect(200, "POST", "/v1/candidates?candidate_id=ada", `{"display_name":"Ada","role":"ic","level":"l1"}`)
	recruiter.expect(200, "POST", "/v1/candidates/ada/interviews?interview_id=one", `{"interviewer":"users/ivan","rubric":"rubrics/r/revisions/1"}`)
	recruiter.expect(200, "POST", "/v1/candidates/ada/interviews?interview_id=two", `{"interviewer":"users/omar","rubric":"rubrics/r/revisions/1"}`)
	card := `{"ratings":[{"competency":"craft","score":3,"evidence":"Wrote it."}],"recommendation":"RECOMMENDATION_YES","private_note":"mine alone"}`
	ivan.expect(200, "PATCH", "/v1/candidates/ada/interviews/one/scorecard", card)
	ivan.expect(200, "POST", "/v1/candidates/ada/interviews/one/scorecard:submit", `{"request_id":"ivan-1"}`)

	omar.expect(404, "GET", "/v1/candidates/ada/interviews/one/scorecard", "") // omar has not submitted
	omar.expect(200, "PATCH", "/v1/candidates/ada/interviews/two/scorecard", card)
	recruiter.expect(404, "GET", "/v1/candidates/ada/interviews/two/scorecard", "") // a draft is its author's
	if sum := omar.expect(200, "GET", "/v1/candidates/ada:summarize", ""); sum["scorecards"] != nil {
		t.Errorf("summary as omar before submitting = %v, want no scorecard", sum)
	}
	omar.expect(200, "POST", "/v1/candidates/ada/interviews/two/scorecard:submit", `{}`)
	seen := omar.expect(200, "GET", "/v1/candidates/ada/interviews/one/scorecard", "")
	if seen["privateNote"] != nil || seen["state"] != "STATE_SUBMITTED" {
		t.Errorf("ivan's scorecard as omar after submitting = %v, want it submitted, without the private note", seen)
	}
	if mine := ivan.expect(200, "GET", "/v1/candidates/ada/interviews/one/scorecard", ""); mine["privateNote"] != "mine alone" {
		t.Errorf("ivan's own scorecard = %v, want his private note", mine)
	}
}
