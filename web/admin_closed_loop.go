package web

import (
	"fmt"
	"net/http"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// The closed loop, for admins: how each competency's interview scores of
// hired candidates relate to the same people's first reviewed ladder
// assessment (feedback's ComputeClosedLoop), with its caveats beside it.

func (a *App) routesClosedLoop() {
	a.mux.HandleFunc("GET /admin/closed-loop", a.page(a.closedLoopPage))
}

type closedLoopData struct {
	Report *feedbackv1.ClosedLoopReport
	Rows   []closedLoopRow
}

type closedLoopRow struct {
	Competency, Figure string
	N                  int32
	Shown              bool
}

func (a *App) closedLoopPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := a.call(r, s)
	defer cancel()
	rep, err := a.feedback.ComputeClosedLoop(ctx, &feedbackv1.ComputeClosedLoopRequest{})
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	t := a.titlesFor(ctx, nil, nil)
	d := closedLoopData{Report: rep}
	for _, c := range rep.GetCompetencies() {
		row := closedLoopRow{Competency: t.competency(c.GetCompetency()), N: c.GetN(), Shown: c.GetShown()}
		if c.GetShown() {
			row.Figure = fmt.Sprintf("%.2f (95 %% interval %.2f to %.2f)", c.GetCorrelation(), c.GetLow(), c.GetHigh())
		} else {
			row.Figure = fmt.Sprintf("not shown: fewer than %d people", rep.GetMinN())
		}
		d.Rows = append(d.Rows, row)
	}
	a.render(w, s, http.StatusOK, "admin_closed_loop", "The closed loop", d)
}
