package web

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// The calibration page. Computing a report is a state change (a report
// over a whole role is kept, and every debrief and comparison of the role
// then calibrates with it), so it is a form that POSTs; GET shows the form
// only. The POST renders the report it computed directly instead of
// redirecting: the API has no call that reads a report back, so a
// redirect to a GET could only show the report by computing it again,
// which would make a page load a state change and a reload a second
// computation.

type calibrationData struct {
	Form   calibrationForm
	Roles  []roleOption
	Errors map[string]string // by form field
	Report *calibrationReport
	// KeptNote says why no kept report shows: none computed yet, or the
	// reader has a scorecard of the role to submit.
	KeptNote string
}

// calibrationForm is the scope as typed, kept on an error.
type calibrationForm struct {
	Role, Level, Rubric, Start, End string
}

type calibrationReport struct {
	Scope                                     string
	Kept                                      bool
	Age                                       string // set when the page shows the kept report, not one just computed
	Computed                                  debriefTime
	Scorecards, Candidates, InterviewersCount int
	MinScorecards                             int
	Model                                     string
	ResidualVariance                          float64
	InterviewerVariance                       float64
	Interviewers                              []calibrationInterviewer
	LeniencyChart                             string
	Agreement                                 []calibrationAgreement
	CandidateRows                             []calibrationCandidate
	ShiftChart                                string
}

type calibrationInterviewer struct {
	Interviewer     string
	Words           string // the leniency, and how sure it is, in plain words
	Scorecards      int
	MeanScore       float64
	Leniency        float64
	Low, High       float64
	Used            bool
	Recommendations string
	MedianToSubmit  string
	Evidence        string // what the evidence checks flag of their ratings, in words
}

type calibrationAgreement struct {
	Competency                        string
	Ratings, Candidates, Interviewers int
	Nominal, Ordinal, Interval        string
	HasICC                            bool
	ICC11, ICC21, ICC31               string
	ICC1k, ICC2k, ICC3k               string
	Agreement, Basis                  string
	Advice                            string // what to do about it
}

type calibrationCandidate struct {
	ID, Name        string
	Raw, Calibrated float64
	Shift           float64
	Competencies    []calibrationCompetency
}

type calibrationCompetency struct {
	Competency      string
	Raw, Calibrated float64
	Shift           float64
}

// calibrationPage shows the form, with the roles known as suggestions.
func (a *App) calibrationPage(w http.ResponseWriter, r *http.Request, s *session) {
	q := r.URL.Query()
	d := calibrationData{Form: calibrationForm{
		Role: strings.TrimSpace(q.Get("role")), Level: strings.TrimSpace(q.Get("level")), Rubric: strings.TrimSpace(q.Get("rubric")),
	}}
	ctx, cancel := a.call(r, s)
	defer cancel()
	titles, err := a.roles(ctx)
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	if d.Form.Role == "" && len(titles) == 1 {
		for id := range titles {
			d.Form.Role = id // one role: nothing to choose
		}
	}
	d.Roles = titles.options(d.Form.Role)
	title := "Calibration"
	if d.Form.Role != "" {
		// The role's kept report, as it was computed: the page opens on it
		// without computing again.
		rep, err := a.feedback.GetRoleCalibration(ctx, &feedbackv1.GetRoleCalibrationRequest{Name: "roles/" + d.Form.Role + "/calibration"})
		switch e := explain(err); {
		case err == nil:
			d.Report = newCalibrationReport(rep, a.titlesFor(ctx, calibrationPeople(rep), nil))
			d.Report.Scope = strings.Replace(d.Report.Scope, "role "+d.Form.Role, titles.of(d.Form.Role), 1)
			d.Report.Age = ageWords(rep.GetComputeTime().AsTime(), time.Now())
			title += ": " + titles.of(d.Form.Role)
		case e.status == http.StatusNotFound || e.code == codes.FailedPrecondition || e.status == http.StatusBadRequest:
			d.KeptNote = sentence(e.message)
		default:
			a.failErr(w, s, err)
			return
		}
	}
	a.render(w, s, http.StatusOK, "calibration", title, d)
}

// ageWords says how long ago t was, in the largest unit that matters.
func ageWords(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 2*time.Minute:
		return "just now"
	case d < 2*time.Hour:
		return fmt.Sprintf("%d minutes ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

// calibrationPost computes a report over the scope posted, and shows it.
func (a *App) calibrationPost(w http.ResponseWriter, r *http.Request, s *session) {
	f := calibrationForm{
		Role: strings.TrimSpace(r.PostFormValue("role")), Level: strings.TrimSpace(r.PostFormValue("level")),
		Rubric: strings.TrimSpace(r.PostFormValue("rubric")), Start: strings.TrimSpace(r.PostFormValue("start")),
		End: strings.TrimSpace(r.PostFormValue("end")),
	}
	d := calibrationData{Form: f}
	ctx, cancel := a.call(r, s)
	defer cancel()
	titles, err := a.roles(ctx)
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	d.Roles = titles.options(f.Role)
	scope, errs := calibrationScope(f)
	if len(errs) == 0 {
		ctx, cancel := a.callReport(r, s)
		defer cancel()
		rep, err := a.feedback.ComputeCalibration(ctx, &feedbackv1.ComputeCalibrationRequest{Scope: scope})
		if err == nil {
			d.Report = newCalibrationReport(rep, a.titlesFor(ctx, calibrationPeople(rep), nil))
			d.Report.Scope = strings.Replace(d.Report.Scope, "role "+f.Role, titles.of(f.Role), 1)
			a.render(w, s, http.StatusOK, "calibration", "Calibration: "+titles.of(f.Role), d)
			return
		}
		e := explain(err)
		if e.status != http.StatusBadRequest {
			a.failErr(w, s, err)
			return
		}
		errs = map[string]string{"": e.message}
		for field, msg := range e.fields {
			errs[strings.TrimPrefix(field, "scope.")] = msg
		}
	}
	// The form again, as typed, with what to fix.
	d.Errors = errs
	a.render(w, s, http.StatusBadRequest, "calibration", "Calibration", d)
}

// calibrationScope reads the scope typed; the dates are whole days, the
// end one included.
func calibrationScope(f calibrationForm) (*feedbackv1.CalibrationScope, map[string]string) {
	errs := map[string]string{}
	scope := &feedbackv1.CalibrationScope{Role: f.Role, Level: f.Level}
	if f.Role == "" {
		errs["role"] = "name the role to calibrate"
	}
	if f.Rubric != "" {
		scope.Rubric = f.Rubric
		if !strings.HasPrefix(f.Rubric, "rubrics/") {
			scope.Rubric = "rubrics/" + f.Rubric
		}
	}
	day := func(field, v string, after time.Duration) *timestamppb.Timestamp {
		if v == "" {
			return nil
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			errs[field] = "a date, as 2026-12-31"
			return nil
		}
		return timestamppb.New(t.Add(after))
	}
	scope.StartTime = day("start_time", f.Start, 0)
	scope.EndTime = day("end_time", f.End, 24*time.Hour)
	if len(errs) > 0 {
		return nil, errs
	}
	return scope, nil
}

// calibrationPeople are the interviewers a report names.
func calibrationPeople(rep *feedbackv1.CalibrationReport) []string {
	var out []string
	for _, iv := range rep.GetInterviewers() {
		out = append(out, iv.GetInterviewer())
	}
	return out
}

func newCalibrationReport(rep *feedbackv1.CalibrationReport, t titles) *calibrationReport {
	sc := rep.GetScope()
	out := &calibrationReport{
		Scope:    calScopeText(sc),
		Kept:     sc.GetLevel() == "" && sc.GetRubric() == "" && sc.GetStartTime() == nil && sc.GetEndTime() == nil,
		Computed: debriefTimeOf(rep.GetComputeTime()), Scorecards: int(rep.GetScorecards()),
		Candidates: int(rep.GetCandidatesCount()), InterviewersCount: int(rep.GetInterviewersCount()),
		MinScorecards: int(rep.GetMinScorecards()), Model: rep.GetModel(),
		ResidualVariance: rep.GetResidualVariance(), InterviewerVariance: rep.GetInterviewerVariance(),
	}
	var rows []intervalRow
	for _, iv := range rep.GetInterviewers() {
		ci := calibrationInterviewer{
			Interviewer: t.people.of(iv.GetInterviewer()), Scorecards: int(iv.GetScorecards()), MeanScore: iv.GetMeanScore(),
			Leniency: iv.GetLeniency(), Low: iv.GetLeniencyLow(), High: iv.GetLeniencyHigh(), Used: iv.GetUsed(),
			Recommendations: calRecMix(iv.GetRecommendations()),
		}
		ci.Words = leniencyWords(ci.Leniency) + "; " + certaintyWords(ci.Low, ci.High)
		if !ci.Used {
			ci.Words = leniencyWords(ci.Leniency) + "; too few scorecards to calibrate with yet"
		}
		if d := iv.GetMedianTimeToSubmit(); d != nil {
			ci.MedianToSubmit = calDuration(d.AsDuration())
		}
		ci.Evidence = evidenceWords(iv)
		out.Interviewers = append(out.Interviewers, ci)
		row := intervalRow{Label: ci.Interviewer, Value: ci.Leniency, Low: ci.Low, High: ci.High, Muted: !ci.Used}
		if !ci.Used {
			row.Detail = "(not used)"
		}
		rows = append(rows, row)
	}
	out.LeniencyChart = intervalChart(chartText{
		Title: "Interviewer leniency with 95 % intervals",
		Desc: "One row per interviewer: the dot is the leniency in scale points (right of zero is generous, left is harsh), " +
			"the line its 95 % interval; grey dashed rows are not used to calibrate. The table below gives the same numbers.",
		Axis: "Leniency in scale points (harsh ← 0 → generous)",
	}, rows)
	for _, c := range rep.GetCompetencies() {
		ag := calibrationAgreement{
			Competency: t.competency(c.GetCompetency()), Ratings: int(c.GetRatings()), Candidates: int(c.GetCandidates()),
			Interviewers: int(c.GetInterviewers()), Agreement: c.GetAgreement(), Basis: c.GetAgreementBasis(),
			Nominal: "—", Ordinal: "—", Interval: "—",
		}
		ag.Advice = agreementAdvice(ag.Agreement)
		if ka := c.GetKrippendorffAlpha(); ka != nil { // absent where undefined
			ag.Nominal, ag.Ordinal, ag.Interval = calOptNum(ka.Nominal), calOptNum(ka.Ordinal), calOptNum(ka.Interval)
		}
		if icc := c.GetIcc(); icc != nil {
			ag.HasICC = true
			ag.ICC11, ag.ICC21, ag.ICC31 = iccCell(icc.GetIcc1_1(), icc.GetIcc1_1Interval()), iccCell(icc.GetIcc2_1(), icc.GetIcc2_1Interval()), iccCell(icc.GetIcc3_1(), icc.GetIcc3_1Interval())
			ag.ICC1k, ag.ICC2k, ag.ICC3k = iccCell(icc.GetIcc1K(), icc.GetIcc1KInterval()), iccCell(icc.GetIcc2K(), icc.GetIcc2KInterval()), iccCell(icc.GetIcc3K(), icc.GetIcc3KInterval())
		}
		out.Agreement = append(out.Agreement, ag)
	}
	var shifts []shiftRow
	for _, c := range rep.GetCandidates() {
		cc := calibrationCandidate{ID: debriefID(c.GetCandidate()), Name: c.GetDisplayName(), Raw: c.GetRawScore(), Calibrated: c.GetCalibratedScore()}
		if cc.Name == "" { // a report kept before reports carried names
			cc.Name = cc.ID
		}
		cc.Shift = cc.Calibrated - cc.Raw
		for _, comp := range c.GetCompetencies() {
			cc.Competencies = append(cc.Competencies, calibrationCompetency{
				Competency: t.competency(comp.GetCompetency()), Raw: comp.GetRawScore(), Calibrated: comp.GetCalibratedScore(),
				Shift: comp.GetCalibratedScore() - comp.GetRawScore(),
			})
		}
		out.CandidateRows = append(out.CandidateRows, cc)
	}
	// Best calibrated first: the order a debrief would read them in.
	sort.SliceStable(out.CandidateRows, func(i, j int) bool { return out.CandidateRows[i].Calibrated > out.CandidateRows[j].Calibrated })
	for _, cc := range out.CandidateRows {
		shifts = append(shifts, shiftRow{Label: cc.Name, From: cc.Raw, To: cc.Calibrated})
	}
	out.ShiftChart = shiftChart(chartText{
		Title: "Candidates' raw and calibrated scores",
		Desc:  "One row per candidate: the open circle is the raw mean score, the arrow ends at the calibrated score. The table beside gives the same numbers.",
		Axis:  "Mean score (open circle raw, arrow head calibrated)",
	}, shifts)
	return out
}

func calScopeText(sc *feedbackv1.CalibrationScope) string {
	parts := []string{"role " + sc.GetRole()}
	if sc.GetLevel() != "" {
		parts = append(parts, "level "+sc.GetLevel())
	}
	if sc.GetRubric() != "" {
		parts = append(parts, sc.GetRubric())
	}
	if t := sc.GetStartTime(); t != nil {
		parts = append(parts, "submitted from "+t.AsTime().UTC().Format(time.DateOnly))
	}
	if t := sc.GetEndTime(); t != nil {
		parts = append(parts, "submitted before "+t.AsTime().UTC().Format(time.DateOnly))
	}
	return strings.Join(parts, ", ")
}

func calRecMix(rcs []*feedbackv1.RecommendationCount) string {
	var parts []string
	for _, rc := range rcs {
		if rc.GetCount() > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", rc.GetCount(), strings.ToLower(recommendationWords(rc.GetRecommendation()))))
		}
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, ", ")
}

// calDuration is a duration in the largest units that matter.
func calDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "—"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%.1f h", d.Hours())
	}
	return fmt.Sprintf("%.1f days", d.Hours()/24)
}

func calOptNum(v *float64) string {
	if v == nil {
		return "—"
	}
	return chartNum(*v)
}

// iccCell is an intraclass correlation with its 95 % confidence interval,
// as a report prints it: "0.29 (0.02 to 0.76)".
func iccCell(v float64, ci *feedbackv1.ConfidenceInterval) string {
	if ci == nil {
		return chartNum(v)
	}
	return fmt.Sprintf("%s (%s to %s)", chartNum(v), chartNum(ci.GetLow()), chartNum(ci.GetHigh()))
}

// evidenceKindWords names each kind of evidence finding.
var evidenceKindWords = map[feedbackv1.EvidenceWarning_Kind]string{
	feedbackv1.EvidenceWarning_KIND_TOO_SHORT:       "too short",
	feedbackv1.EvidenceWarning_KIND_NO_BEHAVIOUR:    "no observed behaviour",
	feedbackv1.EvidenceWarning_KIND_NOT_JOB_RELATED: "not job-related",
}

// evidenceWords says what the evidence checks flag of an interviewer's
// ratings: "3 too short, 1 not job-related (of 12 ratings)".
func evidenceWords(iv *feedbackv1.InterviewerCalibration) string {
	var parts []string
	for _, c := range iv.GetEvidenceWarnings() {
		if c.GetCount() > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.GetCount(), evidenceKindWords[c.GetKind()]))
		}
	}
	if len(parts) == 0 {
		return "nothing flagged"
	}
	return fmt.Sprintf("%s (of %d ratings)", strings.Join(parts, ", "), iv.GetAssessedRatings())
}
