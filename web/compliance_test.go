package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The compliance role's page, and the recruiter's form that feeds it: the
// form is never filled from what was recorded, and nobody but compliance
// opens the report.
func TestComplianceAndSelfIdentification(t *testing.T) {
	s := startSite(t)
	rita := s.as(t, "users/rita")
	code, body := rita.get("/candidates/demo-ada/self-identification")
	wantPage(t, "/candidates/demo-ada/self-identification", code, body)
	for _, want := range []string{"Voluntary self-identification: Ada L.", `name="answer-gender"`, "Prefers not to say", "you cannot read it back"} {
		if !strings.Contains(body, want) {
			t.Errorf("the form lacks %q", want)
		}
	}
	code, body = rita.post("/candidates/demo-ada/self-identification", url.Values{"answer-gender": {"lizard"}})
	if code != http.StatusBadRequest || !strings.Contains(body, "is not an answer of gender") {
		t.Errorf("an answer the category lacks = %d, want 400 saying so\n%.1500s", code, body)
	}
	code, body = rita.post("/candidates/demo-ada/self-identification", url.Values{"answer-gender": {"woman"}, "answer-ethnicity": {""}})
	if code != http.StatusOK || !strings.Contains(body, "readable by compliance only") {
		t.Fatalf("recording = %d, want the debrief with the notice\n%.1500s", code, body)
	}
	if _, body := rita.get("/candidates/demo-ada/self-identification"); strings.Contains(body, "selected") {
		t.Error("the form shows what was recorded to the recruiter")
	}
	for _, who := range []string{"users/rita", "users/ivan", "users/adam"} {
		if code, _ := s.as(t, who).get("/compliance?role=ic&category=gender"); code != http.StatusForbidden {
			t.Errorf("GET /compliance as %s = %d, want 403", who, code)
		}
	}

	cora := s.as(t, "users/cora")
	code, body = cora.get("/compliance?role=ic&category=gender")
	wantPage(t, "/compliance", code, body)
	for _, want := range []string{"Senior Software Engineer: Gender", "Interviewed → every scorecard submitted", "Woman",
		"suppressed: fewer than 5 in a cell", "four-fifths rule", "Adverse impact"} {
		if !strings.Contains(body, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if code, body := cora.get("/compliance?role=ic&category=shoe-size"); code != http.StatusBadRequest || !strings.Contains(body, "is not a category") {
		t.Errorf("an unknown category = %d, want 400 saying so", code)
	}
}
