package web_test

import (
	"encoding/xml"
	"errors"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// demoCandidates are the candidates dev mode seeds, by display name.
var demoCandidates = []string{"Ada L.", "Grace H.", "Linus T.", "Hedy L.", "Alan T.", "Barbara L.", "Ken T.",
	"Mary J.", "John M.", "Radia P.", "Frances A.", "Margaret H."}

// maxPage is the most a page may weigh: they are read on phones.
const maxPage = 100 << 10

func wantPage(t *testing.T, path string, code int, body string) {
	t.Helper()
	if code != http.StatusOK {
		t.Fatalf("GET %s = %d\n%.1000s", path, code, body)
	}
	if len(body) > maxPage {
		t.Errorf("%s weighs %d bytes, more than %d", path, len(body), maxPage)
	}
}

func TestCandidatesListForRecruiters(t *testing.T) {
	s := startSite(t)
	rita := s.as(t, "users/rita")
	code, body := rita.get("/candidates?role=ic")
	wantPage(t, "/candidates?role=ic", code, body)
	for i, name := range demoCandidates {
		id := "demo-" + strings.ToLower(strings.Fields(name)[0])
		if !strings.Contains(body, `href="/candidates/`+id+`"`) || !strings.Contains(body, name) {
			t.Errorf("candidate %d (%s) is not linked from the list", i, name)
		}
	}
	for _, want := range []string{`<th scope="col">Candidate</th>`, "<caption", `action="/compare"`, `name="names"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the list lacks %s", want)
		}
	}
	// Another role: none of the demo candidates.
	if code, body := rita.get("/candidates?role=manager"); code != http.StatusOK || strings.Contains(body, "demo-ada") {
		t.Errorf("/candidates?role=manager = %d, want an empty list", code)
	}
	// An interviewer does not list candidates: the API says no, the page says so.
	ivan := s.as(t, "users/ivan")
	for _, path := range []string{"/candidates", "/compare", "/compare?role=ic", "/calibration", "/calibration?role=ic"} {
		if code, body := ivan.get(path); code != http.StatusForbidden || !strings.Contains(body, "Your roles do not open this page") {
			t.Errorf("GET %s as ivan = %d, want the 403 page\n%.300s", path, code, body)
		}
	}
}

func TestDebriefShowsFlagsAndCalibratedMeans(t *testing.T) {
	s := startSite(t)
	rita := s.as(t, "users/rita")
	code, body := rita.get("/candidates/demo-ada")
	wantPage(t, "/candidates/demo-ada", code, body)
	for _, want := range []string{"Debrief: Ada L.", "Ivan Petrov", "Ines Duarte", "Omar Haddad", "submitted",
		"Demo evidence: what the candidate said and did for technical-skill.", "Strong hire", "Interviewer effects used",
		"Senior Engineer: coding", "scores "} {
		if !strings.Contains(body, want) {
			t.Errorf("ada's debrief lacks %q", want)
		}
	}
	// People, competencies, rubrics and interviews by name, never by ID.
	for _, id := range []string{"users/", "rubrics/", "<code>", ">technical-skill<", "candidates/demo-ada<"} {
		if strings.Contains(body, id) {
			t.Errorf("ada's debrief shows %q where a name exists", id)
		}
	}
	// The recommendations come first: what a debrief opens with.
	if strings.Index(body, `id="recs-title"`) > strings.Index(body, `id="panel-title"`) {
		t.Error("the recommendations are not at the top of the debrief")
	}
	// technical-skill: 4, 3 and 2, a disagreement; raw mean 3 beside a
	// calibrated one.
	row := meansRow(t, body, "technical-skill", "Technical skill")
	if row[1] != "3.00" || !isNumber(row[2]) || !strings.Contains(row[4], `class="flag">disagreement`) {
		t.Errorf("technical-skill row = %q, want raw 3, a calibrated mean and the disagreement flag", row[1:])
	}
	// leadership: only ines assessed it.
	if row := meansRow(t, body, "leadership", "Leadership"); !strings.Contains(row[4], "low coverage") {
		t.Errorf("leadership row = %q, want the low coverage flag", row[1:])
	}
	if row := meansRow(t, body, "quality", "Quality and operations"); strings.Contains(row[4], "flag") {
		t.Errorf("quality (3 and 3) row = %q, want no flag", row[1:])
	}
	// (html/template writes "+" as "&#43;".)
	if !regexp.MustCompile(`<th scope="row">Ivan Petrov</th><td>scores [^<]* above colleagues</td><td class="num">&#43;\d`).MatchString(body) {
		t.Error("ivan's effect (generous, so positive) is not listed")
	}
	// Nothing private reaches the debrief.
	if strings.Contains(body, "Demo private note") {
		t.Error("a private note shows in the debrief")
	}
	if code, _ := rita.get("/candidates/no-such-one"); code != http.StatusNotFound {
		t.Errorf("an unknown candidate = %d, want 404", code)
	}
}

// meansRow finds a competency's row in the debrief's means table: raw
// mean, calibrated mean, change, flags.
func meansRow(t *testing.T, body, competency, title string) []string {
	t.Helper()
	re := regexp.MustCompile(`(?s)<th scope="row"><a href="#comp-` + competency + `">` + title + `</a></th>\s*` +
		`<td class="num">([^<]*)</td>\s*<td class="num">([^<]*)</td>\s*<td class="num">([^<]*)</td>\s*` +
		`<td class="num">[^<]*</td>\s*<td class="num">[^<]*</td>\s*<td>(.*?)</td>`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no row for %s in the means table", competency)
	}
	return m
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(strings.TrimPrefix(s, "+"), 64)
	return err == nil
}

func TestCompareHeatMap(t *testing.T) {
	s := startSite(t)
	rita := s.as(t, "users/rita")
	code, body := rita.get("/compare?role=ic")
	wantPage(t, "/compare?role=ic", code, body)
	rowRe := regexp.MustCompile(`(?s)<tr>\s*<th scope="row"><a href="/candidates/([a-z-]+)">([^<]+)</a>(\s*<span class="flag[^"]*">[^<]*</span>)?</th>(.*?)</tr>`)
	rows := rowRe.FindAllStringSubmatch(body, -1)
	if len(rows) != len(demoCandidates) {
		t.Fatalf("the heat map has %d rows, want the %d demo candidates\n%.2000s", len(rows), len(demoCandidates), body)
	}
	seen := map[string]bool{}
	cellRe := regexp.MustCompile(`<td class="num (band-\d|band-none)">([^<]+)</td>`)
	rankRe := regexp.MustCompile(`<td class="num overall"><strong>([\d.]+|—)</strong></td>`)
	prev, thin := 99.0, false
	for _, r := range rows {
		seen[r[2]] = true
		cells := cellRe.FindAllStringSubmatch(r[4], -1)
		if len(cells) == 0 {
			t.Errorf("%s: no heat map cells", r[2])
		}
		for _, c := range cells {
			if c[1] != "band-none" && !isNumber(c[2]) {
				t.Errorf("%s: a shaded cell without its number: %q", r[2], c[0])
			}
		}
		// The ranking score comes first; Linus rests on one submitted
		// scorecard (the other is a draft): marked, and ranked after the
		// others; Margaret's interviews are ahead: last, with no score.
		m := rankRe.FindStringSubmatch(r[4])
		if m == nil {
			t.Errorf("%s: no ranking score", r[2])
			continue
		}
		if r[2] == "Linus T." && !strings.Contains(r[3], "thin evidence") {
			t.Errorf("Linus T. rests on one scorecard, and is not marked so: %q", r[3])
		}
		if r[3] != "" && !thin {
			thin, prev = true, 99
		}
		if m[1] == "—" {
			if r[2] != "Margaret H." {
				t.Errorf("%s: no ranking score", r[2])
			}
			continue
		}
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		if v > prev {
			t.Errorf("%s (%v) comes after a lower ranking score (%v): want best first", r[2], v, prev)
		}
		prev = v
	}
	for _, name := range demoCandidates {
		if !seen[name] {
			t.Errorf("%s is not in the heat map", name)
		}
	}
	for _, want := range []string{"<caption", `<th scope="col">Technical skill`, "Ranking score", "Overall (calibrated)", "Shades:", `class="scroll"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the comparison lacks %s", want)
		}
	}
	// By name: just those two.
	code, body = rita.get("/compare?names=demo-ada&names=candidates/demo-ken")
	wantPage(t, "/compare?names=...", code, body)
	if rows := rowRe.FindAllStringSubmatch(body, -1); len(rows) != 2 {
		t.Errorf("compare by name: %d rows, want 2", len(rows))
	}
	// No role, no names: the form, with the roles known.
	if code, body := rita.get("/compare"); code != http.StatusOK || !strings.Contains(body, `<option value="ic">Senior Software Engineer</option>`) {
		t.Errorf("/compare = %d, want the form suggesting the role ic", code)
	}
}

func TestCalibrationReport(t *testing.T) {
	s := startSite(t)
	rita := s.as(t, "users/rita")
	code, body := rita.get("/calibration?role=ic")
	wantPage(t, "/calibration?role=ic", code, body)
	if !strings.Contains(body, `method="post" action="/calibration"`) || !strings.Contains(body, `<option value="ic" selected>Senior Software Engineer</option>`) {
		t.Errorf("GET /calibration lacks the form, filled with the role")
	}
	// The page opens on the role's kept report (dev mode computed one),
	// saying how old it is; only the POST computes.
	if !strings.Contains(body, "This is the role's kept report, computed") || !strings.Contains(body, "Interviewer leniency") {
		t.Error("GET /calibration does not show the role's kept report")
	}
	// The form is refused when posted from another site.
	if code, _ := rita.postWith("/calibration", url.Values{"role": {"ic"}}, http.Header{"Sec-Fetch-Site": {"cross-site"}}); code != http.StatusForbidden {
		t.Errorf("POST /calibration from another site = %d, want 403", code)
	}
	code, body = rita.post("/calibration", url.Values{"role": {"ic"}})
	wantPage(t, "POST /calibration", code, body)
	lenRe := func(who string) float64 {
		t.Helper()
		m := regexp.MustCompile(`<th scope="row">` + who + `</th><td class="num">\d+</td><td class="num">[\d.]+</td>\s*<td class="num leniency">((?:&#43;|-)?[\d.]+)</td>`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no leniency for %s in the report\n%.3000s", who, body)
		}
		v, err := strconv.ParseFloat(html.UnescapeString(m[1]), 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := lenRe("Ivan Petrov"); v <= 0 {
		t.Errorf("ivan's leniency = %v, want positive (generous)", v)
	}
	if v := lenRe("Ines Duarte"); v >= 0 {
		t.Errorf("ines's leniency = %v, want negative (harsh)", v)
	}
	lenRe("Omar Haddad")
	for _, want := range []string{"Agreement per competency", "Krippendorff", "nominal", "ordinal", "interval",
		"it is kept", "Candidates, raw and calibrated", `href="/candidates/demo-ada"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	// The charts are inline SVG images, well formed, with their names.
	svgs := regexp.MustCompile(`(?s)<svg .*?</svg>`).FindAllString(body, -1)
	if len(svgs) != 2 {
		t.Fatalf("%d SVG charts in the report, want 2 (leniency, raw to calibrated)", len(svgs))
	}
	for _, svg := range svgs {
		if !strings.Contains(svg, `role="img"`) || !strings.Contains(svg, "aria-label=") || !strings.Contains(svg, "<title>") || !strings.Contains(svg, "<desc>") {
			t.Errorf("a chart is not an accessible image: %.300s", svg)
		}
		if err := wellFormed(svg); err != nil {
			t.Errorf("a chart is not well-formed XML: %v", err)
		}
	}
	if !strings.Contains(svgs[0], ">Ivan Petrov<") || !strings.Contains(svgs[0], ">Ines Duarte<") {
		t.Error("the leniency chart does not label the interviewers")
	}
	// A narrower scope is shown, not kept; a scope without a role is
	// refused on the form, with what was typed kept.
	if code, body := rita.post("/calibration", url.Values{"role": {"ic"}, "rubric": {"l3-coding"}}); code != http.StatusOK || !strings.Contains(body, "not kept") {
		t.Errorf("a report over one rubric = %d, want one not kept", code)
	}
	if code, body := rita.post("/calibration", url.Values{"level": {"l3"}, "start": {"31/12/2026"}}); code != http.StatusBadRequest ||
		!strings.Contains(body, "name the role") || !strings.Contains(body, "a date, as") || !strings.Contains(body, `name="level" value="l3"`) {
		t.Errorf("a scope without a role = %d, want the form again with what to fix\n%.2000s", code, body)
	}
	// An interviewer may not compute one, even with a valid form.
	if code, _ := s.as(t, "users/ivan").post("/calibration", url.Values{"role": {"ic"}}); code != http.StatusForbidden {
		t.Errorf("POST /calibration as ivan = %d, want 403", code)
	}
}

// wellFormed decodes s as XML.
func wellFormed(s string) error {
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// Roles are resources: a list, and each role's plan with the competencies
// it assesses only once, before any interview.
func TestRolesPages(t *testing.T) {
	s := startSite(t)
	rita := s.as(t, "users/rita")
	code, body := rita.get("/roles")
	wantPage(t, "/roles", code, body)
	for _, want := range []string{`<a href="/roles/ic">Senior Software Engineer</a>`, "Senior Engineer", "Communication"} {
		if !strings.Contains(body, want) {
			t.Errorf("/roles lacks %q", want)
		}
	}
	code, body = rita.get("/roles/ic")
	wantPage(t, "/roles/ic", code, body)
	for _, want := range []string{"<h1>Senior Software Engineer</h1>", "Coding, second opinion", "Senior Engineer: coding",
		"Technical skill, Quality and operations", "Assessed by only one interview:", "Leadership", "Ivan Petrov", "Adam Novak"} {
		if !strings.Contains(body, want) {
			t.Errorf("/roles/ic lacks %q", want)
		}
	}
	if strings.Contains(body, "users/") || strings.Contains(body, "rubrics/") {
		t.Error("/roles/ic shows resource names where names exist")
	}
	// Every role field is a choice: the candidates' filter offers the roles.
	if _, body := rita.get("/candidates"); !strings.Contains(body, `<select id="filter-role" name="role">`) || !strings.Contains(body, `>Senior Software Engineer</option>`) {
		t.Error("/candidates does not offer the roles as a choice")
	}
}

// Recruiters define roles on a form of choices: a level, people from the
// directory, published rubrics and their competencies; the plan's
// mistakes come back at their fields, a taken ID with a free one.
func TestRoleForm(t *testing.T) {
	s := startSite(t)
	rita := s.as(t, "users/rita")
	mustGetPage(t, rita, "/roles/new", "A new role", `<option value="users/ivan">Ivan Petrov</option>`,
		`<option value="rubrics/l3-coding">Senior Engineer: coding</option>`, `<option value="technical-skill">Technical skill</option>`)
	form := url.Values{"title": {"Platform Engineer"}, "role_id": {""}, "level": {"frameworks/engineering|ic|l4"},
		"team":         {"users/rita", "users/ivan"},
		"plan-0-title": {"Coding"}, "plan-0-rubric": {"rubrics/l3-coding"},
		"plan-1-title": {"Design"}, "plan-1-rubric": {"rubrics/l3-system-design"}, "plan-1-focus": {"quality"},
		"plan-2-title": {""}, "plan-2-rubric": {""}}
	code, page := rita.post("/roles", form)
	if code != http.StatusBadRequest || !strings.Contains(page, `id="plan-1-focus-error"`) || !strings.Contains(page, `value="Platform Engineer"`) {
		t.Fatalf("a focus the rubric does not assess = %d, want 400 at the field, the input kept\n%.3000s", code, page)
	}
	form.Del("plan-1-focus")
	code, page = rita.post("/roles", form)
	if code != http.StatusOK || !strings.Contains(page, "Role created.") || !strings.Contains(page, "<h1>Platform Engineer</h1>") || !strings.Contains(page, "Staff Engineer") {
		t.Fatalf("create = %d\n%.2000s", code, page)
	}
	// The same title again: the ID it makes is taken, and a free one is named.
	if code, page := rita.post("/roles", form); code != http.StatusConflict || !strings.Contains(page, "platform-engineer-2") {
		t.Errorf("a taken ID = %d, want 409 naming a free one\n%.2000s", code, page)
	}
	// Edit: the form holds what was saved; a stale etag keeps the input.
	body := mustGetPage(t, rita, "/roles/platform-engineer/edit", `value="Coding"`, `<option value="users/ivan" selected>Ivan Petrov</option>`)
	etag := regexp.MustCompile(`name="etag" value="([^"]+)"`).FindStringSubmatch(body)[1]
	form.Set("etag", etag)
	form.Set("title", "Senior Platform Engineer")
	if code, page := rita.post("/roles/platform-engineer", form); code != http.StatusOK || !strings.Contains(page, "<h1>Senior Platform Engineer</h1>") {
		t.Errorf("save = %d\n%.2000s", code, page)
	}
	if code, _ := rita.post("/roles/platform-engineer", form); code != http.StatusConflict {
		t.Errorf("a stale etag = %d, want 409", code)
	}
	// Not for interviewers.
	if code, _ := s.as(t, "users/ivan").post("/roles", form); code != http.StatusForbidden {
		t.Errorf("an interviewer creating a role = %d, want 403", code)
	}
}

func mustGetPage(t *testing.T, b *browser, path string, wants ...string) string {
	t.Helper()
	code, body := b.get(path)
	wantPage(t, path, code, body)
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", path, w)
		}
	}
	return body
}

// The decision at the top of the debrief: recorded through the form,
// shown with names, refused with the field named, changed with a reason.
func TestDebriefDecision(t *testing.T) {
	s := startSite(t)
	rita := s.as(t, "users/rita")
	code, body := rita.get("/candidates/demo-ada")
	wantPage(t, "/candidates/demo-ada", code, body)
	if !strings.Contains(body, "No decision yet") || !strings.Contains(body, "Record the decision") {
		t.Fatalf("ada's debrief has no empty decision and form:\n%.2000s", body)
	}
	if strings.Index(body, `id="decision-title"`) > strings.Index(body, `id="recs-title"`) {
		t.Error("the decision is not at the top of the debrief")
	}
	cards := regexp.MustCompile(`name="scorecards" value="([^"]+)"`).FindAllStringSubmatch(body, -1)
	if len(cards) < 2 {
		t.Fatalf("the form offers %d scorecards to cite, want ada's submitted ones", len(cards))
	}
	form := url.Values{"outcome": {"OUTCOME_HIRE"}, "level": {"l3"}, "scorecards": {cards[0][1], cards[1][1]},
		"competencies": {"technical-skill"}}
	// No rationale: refused, the field named, what was typed kept.
	code, body = rita.post("/candidates/demo-ada/decision", form)
	if code != http.StatusBadRequest || !strings.Contains(body, "say why") || !strings.Contains(body, `value="l3"`) {
		t.Fatalf("a decision without a rationale = %d, want 400 naming it, with the level kept\n%.3000s", code, body)
	}
	form.Set("rationale", "Strong system design; the panel agrees.")
	code, body = rita.post("/candidates/demo-ada/decision", form)
	wantPage(t, "POST /candidates/demo-ada/decision", code, body)
	for _, want := range []string{"<strong>Hire at L3</strong>, decided by Rita Okafor", "Strong system design; the panel agrees.",
		"It rests on the scorecards of Ivan Petrov (", "It weighs Technical skill", "Change the decision"} {
		if !strings.Contains(body, want) {
			t.Errorf("the debrief after deciding lacks %q", want)
		}
	}
	if strings.Contains(body, "users/") {
		t.Error("the decision shows a person's ID where a name exists")
	}

	// Changing it needs a reason.
	etag := regexp.MustCompile(`name="etag" value="([^"]+)"`).FindStringSubmatch(body)
	if etag == nil {
		t.Fatal("the form to change the decision has no etag")
	}
	change := url.Values{"etag": {etag[1]}, "outcome": {"OUTCOME_HOLD"}, "rationale": {"Wait for the reference check."}}
	code, body = rita.post("/candidates/demo-ada/decision", change)
	if code != http.StatusBadRequest || !strings.Contains(body, "say why it changes") {
		t.Fatalf("a change without a reason = %d, want 400\n%.3000s", code, body)
	}
	change.Set("reason", "The reference check is pending.")
	code, body = rita.post("/candidates/demo-ada/decision", change)
	wantPage(t, "POST /candidates/demo-ada/decision", code, body)
	for _, want := range []string{"<strong>Hold</strong>", "Changed 1 time", "The reference check is pending.", "It had been <strong>Hire at L3</strong>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the debrief after the change lacks %q", want)
		}
	}

	// An interviewer's view of a debrief has no decision section.
	ivan := s.as(t, "users/ivan")
	if code, body := ivan.get("/candidates/demo-ada"); code == http.StatusOK && strings.Contains(body, `id="decision-title"`) {
		t.Error("an interviewer's debrief shows the decision section")
	}
}
