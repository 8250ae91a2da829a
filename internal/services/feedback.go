package services

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/pkg/webhooks"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
	"github.com/yardstick-dev/yardstick/services/feedback"
	"github.com/yardstick-dev/yardstick/services/ladder"
	"github.com/yardstick-dev/yardstick/services/rubric"
)

// erasureSweepInterval is how often a running feedback service looks for
// erasures another replica left unfinished.
const erasureSweepInterval = time.Minute

// publicationsEvery is how often the feedback service looks for new
// framework and rubric revisions to announce (webhooks).
const publicationsEvery = 30 * time.Second

// feedbackService is the entry of the feedback service: candidates,
// interviews and scorecards, checked against rubric revisions read through
// the rubric's gRPC client; who is deactivated, and the names and emails
// its reminders go to, are read through the ladder's.
func feedbackService() Service {
	metrics := feedback.NewMetrics() // registered by Start, used by Jobs too
	return Service{
		Name:     "feedback",
		Database: "feedback",
		Calls:    []string{"rubric", "ladder"},
		Start: func(ctx context.Context, db *mongo.Database, reg grpc.ServiceRegistrar, peers Peers, log *slog.Logger, settings Settings) error {
			hooks := webhooks.NewMetrics()
			if err := hooks.Register(settings.Metrics); err != nil {
				return err
			}
			if err := metrics.Register(settings.Metrics); err != nil {
				return err
			}
			store := feedback.NewStoreWith(db, webhooks.Options{Metrics: hooks})
			if err := store.Init(ctx); err != nil {
				return err
			}
			// Init finished this process's interrupted erasures; this, those
			// of another replica that died.
			go store.FinishErasuresEvery(ctx, erasureSweepInterval, log)
			go store.DeliverWebhooks(ctx, log)
			feedbackv1.RegisterFeedbackServiceServer(reg, feedback.New(store, rubricv1.NewRubricServiceClient(peers["rubric"]),
				feedback.Options{People: ladderv1.NewLadderServiceClient(peers["ladder"]), Growth: ladderv1.NewLadderServiceClient(peers["ladder"]), Metrics: metrics,
					NotJobRelated: settings.NotJobRelated, SelfIDCategories: settings.SelfIDCategories}))
			return nil
		},
		Jobs: func(ctx context.Context, db *mongo.Database, peers Peers, settings Settings, log *slog.Logger) error {
			if settings.Token == nil {
				log.Info("framework.published and rubric.published webhook events are off: the feedback service has no token of its own (--service-token-file)")
			} else {
				go feedback.NewStore(db).WatchPublications(ctx, feedback.Publications{
					Ladder: ladderv1.NewLadderServiceClient(peers["ladder"]), Rubrics: rubricv1.NewRubricServiceClient(peers["rubric"]),
					Token: settings.Token, Every: publicationsEvery,
				}, log.With("job", "publications"))
			}
			r := settings.Reminders
			r.Metrics = metrics
			if r.Mail != nil {
				if settings.Token == nil {
					return errors.New("the reminders need a token of their own for the people directory (--service-token-file)")
				}
				r.Token = settings.Token
				r.People = ladderv1.NewLadderServiceClient(peers["ladder"])
			}
			go feedback.NewStore(db).WatchOverdue(ctx, r, log.With("job", "reminders"))
			return nil
		},
		Seed: func(ctx context.Context, dbs func(string) *mongo.Database, log *slog.Logger) error {
			// In-process, rubrics are read through the rubric's server: the
			// seed has no token to forward over the network.
			frameworks := inProcessLadder{ladder.New(ladder.NewStore(dbs("ladder")), ladder.NewUsers(dbs("ladder")))}
			rubrics := inProcessRubric{rubric.New(rubric.NewStore(dbs("rubric")), frameworks)}
			return seedFeedback(ctx, log, feedback.New(feedback.NewStore(dbs("feedback")), rubrics, feedback.Options{}))
		},
		RegisterGateway: feedbackv1.RegisterFeedbackServiceHandler,
		Rules:           feedback.Rules,
	}
}

// inProcessRubric reads rubric revisions through the rubric's server in-process.
type inProcessRubric struct{ server rubricv1.RubricServiceServer }

func (r inProcessRubric) GetRubricRevision(ctx context.Context, in *rubricv1.GetRubricRevisionRequest, _ ...grpc.CallOption) (*rubricv1.RubricRevision, error) {
	return r.server.GetRubricRevision(ctx, in)
}

// The demo hiring loop's people; the README lists them with how to mint
// their tokens.
const (
	demoRecruiter = "users/rita"
	demoIvan      = "users/ivan"
	demoInes      = "users/ines"
	demoOmar      = "users/omar"
	// More interviewers, so that a standing can be shown among enough
	// unnamed colleagues (five, each with three scorecards).
	demoIris = "users/iris"
	demoIgor = "users/igor"
	demoIda  = "users/ida"
)

// demoScorecard is one interviewer's scorecard in the demo loop.
type demoScorecard struct {
	interviewer string
	rubric      string
	scores      map[string]int32 // by competency; 0 means not assessed
	rec         feedbackv1.Recommendation
	submit      bool
}

// demoCandidates are the demo loop: two senior candidates with full panels
// and one with a draft still open.
func demoCandidates() []struct {
	id, name string
	cards    []demoScorecard
} {
	yes, strongYes, no := feedbackv1.Recommendation_RECOMMENDATION_YES, feedbackv1.Recommendation_RECOMMENDATION_STRONG_YES, feedbackv1.Recommendation_RECOMMENDATION_NO
	return []struct {
		id, name string
		cards    []demoScorecard
	}{
		{"demo-ada", "Ada L.", []demoScorecard{
			{demoIvan, "rubrics/l3-coding/revisions/1", map[string]int32{"technical-skill": 4, "quality": 3, "communication": 3}, strongYes, true},
			{demoInes, "rubrics/l3-system-design/revisions/1", map[string]int32{"technical-skill": 3, "delivery": 3, "collaboration": 4, "leadership": 2}, yes, true},
			{demoOmar, "rubrics/l3-coding/revisions/1", map[string]int32{"technical-skill": 2, "quality": 3, "communication": 0}, yes, true},
		}},
		{"demo-grace", "Grace H.", []demoScorecard{
			{demoIvan, "rubrics/l3-system-design/revisions/1", map[string]int32{"technical-skill": 2, "delivery": 2, "collaboration": 3, "leadership": 1}, no, true},
			{demoInes, "rubrics/l3-coding/revisions/1", map[string]int32{"technical-skill": 4, "quality": 2, "communication": 3}, yes, true},
			{demoOmar, "rubrics/l3-system-design/revisions/1", map[string]int32{"technical-skill": 3, "delivery": 2, "collaboration": 3, "leadership": 2}, no, true},
		}},
		{"demo-linus", "Linus T.", []demoScorecard{
			{demoIvan, "rubrics/l3-coding/revisions/1", map[string]int32{"technical-skill": 3, "quality": 3, "communication": 2}, yes, true},
			{demoOmar, "rubrics/l3-coding/revisions/1", map[string]int32{"technical-skill": 3}, feedbackv1.Recommendation_RECOMMENDATION_UNSPECIFIED, false},
		}},
		// Coding panels where ivan is generous and ines harsh, enough for
		// the calibration to tell.
		coding("demo-hedy", "Hedy L.", [3]int32{4, 2, 3}, [3]int32{4, 3, 3}, [3]int32{3, 1, 2}),
		coding("demo-alan", "Alan T.", [3]int32{3, 2, 2}, [3]int32{3, 1, 2}, [3]int32{2, 1, 2}),
		coding("demo-barbara", "Barbara L.", [3]int32{4, 3, 4}, [3]int32{4, 2, 3}, [3]int32{3, 2, 3}),
		coding("demo-ken", "Ken T.", [3]int32{2, 1, 1}, [3]int32{3, 1, 2}, [3]int32{2, 1, 1}),
		// Ivan sits with iris, igor and ida three times each: a standing is
		// built from the panels its reader sat on, and his shows among five
		// peers.
		panelOf("demo-mary", "Mary J.", []string{demoIris, demoIgor, demoIvan}, [][3]int32{{3, 3, 3}, {3, 2, 3}, {4, 3, 3}}),
		panelOf("demo-john", "John M.", []string{demoIgor, demoIda, demoIvan}, [][3]int32{{2, 2, 3}, {3, 3, 3}, {3, 3, 4}}),
		panelOf("demo-radia", "Radia P.", []string{demoIda, demoIris, demoIvan}, [][3]int32{{4, 3, 3}, {3, 3, 3}, {4, 4, 4}}),
		panelOf("demo-frances", "Frances A.", []string{demoIris, demoIgor, demoIda, demoIvan}, [][3]int32{{2, 2, 2}, {2, 1, 2}, {3, 2, 2}, {3, 3, 3}}),
		// Interviews still ahead: no scorecard yet.
		{"demo-margaret", "Margaret H.", []demoScorecard{
			{demoIvan, "rubrics/l3-coding/revisions/1", nil, feedbackv1.Recommendation_RECOMMENDATION_UNSPECIFIED, false},
			{demoOmar, "rubrics/l3-system-design/revisions/1", nil, feedbackv1.Recommendation_RECOMMENDATION_UNSPECIFIED, false},
		}},
	}
}

// coding is a demo candidate interviewed by ivan, ines and omar with the
// l3 coding rubric; each triple is one competency's scores by the three
// (technical skill, quality, communication).
func coding(id, name string, skill, quality, communication [3]int32) struct {
	id, name string
	cards    []demoScorecard
} {
	card := func(who string, i int) demoScorecard {
		mean := (skill[i] + quality[i] + communication[i]) / 3
		rec := feedbackv1.Recommendation_RECOMMENDATION_NO
		if mean >= 3 {
			rec = feedbackv1.Recommendation_RECOMMENDATION_YES
		}
		return demoScorecard{who, "rubrics/l3-coding/revisions/1",
			map[string]int32{"technical-skill": skill[i], "quality": quality[i], "communication": communication[i]}, rec, true}
	}
	return struct {
		id, name string
		cards    []demoScorecard
	}{id, name, []demoScorecard{card(demoIvan, 0), card(demoInes, 1), card(demoOmar, 2)}}
}

// panelOf is a demo candidate interviewed by several with the l3 coding
// rubric; scores[i] are interviewer who[i]'s technical skill, quality and
// communication.
func panelOf(id, name string, who []string, scores [][3]int32) struct {
	id, name string
	cards    []demoScorecard
} {
	out := struct {
		id, name string
		cards    []demoScorecard
	}{id: id, name: name}
	for i, w := range who {
		sc := scores[i]
		rec := feedbackv1.Recommendation_RECOMMENDATION_NO
		if sc[0]+sc[1]+sc[2] >= 9 {
			rec = feedbackv1.Recommendation_RECOMMENDATION_YES
		}
		out.cards = append(out.cards, demoScorecard{w, "rubrics/l3-coding/revisions/1",
			map[string]int32{"technical-skill": sc[0], "quality": sc[1], "communication": sc[2]}, rec, true})
	}
	return out
}

func as(ctx context.Context, subject string, roles ...principal.Role) context.Context {
	return principal.NewContext(ctx, principal.Principal{Subject: subject, Roles: roles})
}

// seedFeedback writes the demo hiring loop the first time dev mode runs:
// when its first candidate has never existed.
func seedFeedback(ctx context.Context, log *slog.Logger, service feedbackv1.FeedbackServiceServer) error {
	recruiter := as(ctx, demoRecruiter, principal.Recruiter)
	if err := seedRole(recruiter, log, service); err != nil {
		return err
	}
	demo := demoCandidates()
	_, err := service.GetCandidate(recruiter, &feedbackv1.GetCandidateRequest{Name: "candidates/" + demo[0].id})
	if !errors.Is(err, apierr.ErrNotFound) {
		return err // nil: seeded before
	}
	day := time.Now().UTC().Truncate(24 * time.Hour)
	for ci, c := range demo {
		cand, err := service.CreateCandidate(recruiter, &feedbackv1.CreateCandidateRequest{CandidateId: c.id, Candidate: &feedbackv1.Candidate{
			DisplayName: c.name, Role: "ic", Level: "l3", ExternalId: "ats-" + c.id,
		}})
		if err != nil {
			return err
		}
		for ii, sc := range c.cards {
			// Submitted loops took place on the days before today, one
			// candidate a day; a draft's, hours ago; a panel with no
			// scorecard yet is tomorrow's.
			at := day.Add(time.Duration(ci-len(demo))*24*time.Hour + time.Duration(9+2*ii)*time.Hour)
			switch {
			case !sc.submit && sc.scores == nil:
				at = day.Add(24*time.Hour + time.Duration(9+2*ii)*time.Hour)
			case !sc.submit:
				at = time.Now().UTC().Truncate(time.Hour).Add(time.Duration(ii-3) * time.Hour)
			}
			iv, err := service.CreateInterview(recruiter, &feedbackv1.CreateInterviewRequest{Parent: cand.GetName(), Interview: &feedbackv1.Interview{
				Interviewer: sc.interviewer, Rubric: sc.rubric, ScheduledTime: timestamppb.New(at),
			}})
			var missing *apierr.InvalidArgumentError
			if errors.As(err, &missing) {
				log.Warn("no demo hiring loop: the sample rubrics are gone", "rubric", sc.rubric)
				return nil
			}
			if err != nil {
				return err
			}
			if err := seedScorecard(as(ctx, sc.interviewer, principal.Interviewer), service, iv.GetName()+"/scorecard", sc); err != nil {
				return err
			}
		}
		log.Info("seeded a demo candidate", "name", cand.GetName(), "interviews", len(c.cards))
	}
	// A calibration of the role, so that summaries show calibrated scores.
	rep, err := service.ComputeCalibration(recruiter, &feedbackv1.ComputeCalibrationRequest{Scope: &feedbackv1.CalibrationScope{Role: "ic"}})
	if err != nil {
		return err
	}
	log.Info("seeded a calibration", "role", "ic", "scorecards", rep.GetScorecards())
	return nil
}

// seedRole defines the demo candidates' role, "ic", once: a senior
// engineer's opening with a coding and a system design interview, whose
// plan shows the competencies only one of them assesses.
func seedRole(ctx context.Context, log *slog.Logger, service feedbackv1.FeedbackServiceServer) error {
	_, err := service.GetRole(ctx, &feedbackv1.GetRoleRequest{Name: "roles/ic"})
	if !errors.Is(err, apierr.ErrNotFound) {
		return err // nil: seeded before
	}
	_, err = service.CreateRole(ctx, &feedbackv1.CreateRoleRequest{RoleId: "ic", Role: &feedbackv1.Role{
		Title: "Senior Software Engineer", Framework: "frameworks/engineering", Track: "ic", Level: "l3",
		HiringTeam: []string{"users/adam", demoRecruiter, demoIvan, demoInes, demoOmar},
		InterviewPlan: []*feedbackv1.PlannedInterview{
			{Title: "Coding", Rubric: "rubrics/l3-coding"},
			{Title: "System design", Rubric: "rubrics/l3-system-design"},
			{Title: "Coding, second opinion", Rubric: "rubrics/l3-coding", FocusCompetencies: []string{"technical-skill", "quality"}},
		},
	}})
	var invalid *apierr.InvalidArgumentError
	if errors.As(err, &invalid) {
		log.Warn("no demo role: the sample rubrics are gone", "error", err)
		return nil
	}
	if err == nil {
		log.Info("seeded a demo role", "name", "roles/ic")
	}
	return err
}

func seedScorecard(ctx context.Context, service feedbackv1.FeedbackServiceServer, name string, sc demoScorecard) error {
	if sc.scores == nil && !sc.submit {
		return nil // an interview still ahead
	}
	var ratings []*feedbackv1.Rating
	for comp, score := range sc.scores {
		r := &feedbackv1.Rating{Competency: comp, Score: &score, Evidence: "Demo evidence: what the candidate said and did for " + comp + "."}
		if score == 0 {
			r = &feedbackv1.Rating{Competency: comp, NotAssessed: true}
		}
		ratings = append(ratings, r)
	}
	draft, err := service.UpdateScorecard(ctx, &feedbackv1.UpdateScorecardRequest{Scorecard: &feedbackv1.Scorecard{
		Name: name, Ratings: ratings, Recommendation: sc.rec, NoteToPanel: "Demo note to the panel.", PrivateNote: "Demo private note: only its author sees this.",
	}})
	if err != nil || !sc.submit {
		return err
	}
	_, err = service.SubmitScorecard(ctx, &feedbackv1.SubmitScorecardRequest{Name: name, Etag: draft.GetEtag()})
	return err
}
