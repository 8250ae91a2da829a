package bench

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/yardstick-dev/yardstick/pkg/principal"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
	"github.com/yardstick-dev/yardstick/services/ladder"
)

// dataset is what the seed wrote, for the scenarios to read and write.
type dataset struct {
	cfg       Config
	grpc      *grpcAPI
	tokens    Tokens
	framework string                     // frameworks/{f}/revisions/1
	rubrics   []*rubricv1.RubricRevision // one per interview type
	roles     []string
	// candidates, each with a full panel, every scorecard submitted.
	candidates []seededCandidate
	// interviewers with at least one seeded interview; leniency is how
	// far each scores above or below the panel, in points.
	interviewers []person
	leniency     []float64
	recruiter    person
	employee     person
	// load counts each interviewer's seeded interviews (atomically).
	load []int64
	// prefix starts every ID the run creates; writesRole is the role of
	// the candidates made for the draft-and-submit scenario.
	prefix     string
	writesRole string
	// made counts the candidates made for writes, so that their IDs differ.
	made atomic.Int64
}

type seededCandidate struct {
	name         string
	interviews   []string // names, one per panel slot
	interviewers []int    // who holds each, as indices of dataset.interviewers
}

// interviewTypes are the rubrics the seed derives from the sample
// framework's senior level, and panel is the five interviews of a loop.
var (
	interviewTypes = []struct {
		id           string
		competencies []string
	}{
		{"coding", []string{"technical-skill", "quality", "communication"}},
		{"system-design", []string{"technical-skill", "delivery", "collaboration", "leadership"}},
		{"behavioural", []string{"collaboration", "communication", "leadership"}},
	}
	panel = [PanelSize]int{0, 1, 2, 0, 1}
)

// seed writes the framework, rubrics, roles, candidates, panels and
// submitted scorecards of cfg through the gRPC API, as the people who
// would: an admin, a recruiter and the interviewers.
func seed(ctx context.Context, cfg Config, target Target, log *slog.Logger) (*dataset, error) {
	prefix := "bench-" + cfg.RunID
	d := &dataset{cfg: cfg, grpc: newGRPCAPI(target.Conn), tokens: target.Tokens, prefix: prefix, writesRole: prefix + "-writes"}
	admin, err := d.tokens.token("users/"+prefix+"-admin", principal.Admin)
	if err != nil {
		return nil, err
	}
	if d.recruiter, err = d.tokens.token("users/"+prefix+"-recruiter", principal.Recruiter); err != nil {
		return nil, err
	}
	if d.employee, err = d.tokens.token("users/"+prefix+"-engineer", principal.Employee); err != nil {
		return nil, err
	}
	interviewers := cfg.Interviewers
	if d.tokens.Mint == nil {
		interviewers = 1 // the token's subject is every interviewer
	}
	for i := range interviewers {
		p, err := d.tokens.token(fmt.Sprintf("users/%s-interviewer-%04d", prefix, i+1), principal.Interviewer)
		if err != nil {
			return nil, err
		}
		d.interviewers = append(d.interviewers, p)
		// Some interviewers are generous, some harsh: calibration has
		// something to find.
		d.leniency = append(d.leniency, rand.New(rand.NewPCG(uint64(i), 1)).NormFloat64()*0.5)
	}

	if err := d.seedLadderAndRubrics(ctx, admin, prefix); err != nil {
		return nil, err
	}
	log.Info("seeded the framework and rubrics", "framework", d.framework, "rubrics", len(d.rubrics))
	for r := range cfg.Roles {
		id := fmt.Sprintf("%s-role-%02d", prefix, r+1)
		if err := d.createRole(ctx, id, fmt.Sprintf("Senior Software Engineer %d", r+1)); err != nil {
			return nil, err
		}
		d.roles = append(d.roles, id)
	}
	if err := d.createRole(ctx, d.writesRole, "Software Engineer, fresh interviews"); err != nil {
		return nil, err
	}
	d.load = make([]int64, len(d.interviewers))

	n := (cfg.Scorecards + PanelSize - 1) / PanelSize
	d.candidates = make([]seededCandidate, n)
	var done atomic.Int64
	start := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cfg.SeedConcurrency)
	for k := range n {
		g.Go(func() error {
			size := min(PanelSize, cfg.Scorecards-k*PanelSize)
			c, err := d.seedCandidate(gctx, fmt.Sprintf("%s-c%06d", prefix, k+1), d.roles[k%len(d.roles)], k, size, true)
			if err != nil {
				return err
			}
			d.candidates[k] = c
			if m := done.Add(1); m%100 == 0 {
				log.Info("seeding", "candidates", m, "of", n, "scorecards_per_second", fmt.Sprintf("%.0f", float64(m*PanelSize)/time.Since(start).Seconds()))
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	// Only interviewers with an interview read "my interviews" of any use;
	// the others leave (the candidates' indices are not used again).
	var kept []person
	var leniency []float64
	for i, p := range d.interviewers {
		if d.load[i] > 0 {
			kept, leniency = append(kept, p), append(leniency, d.leniency[i])
		}
	}
	d.interviewers, d.leniency, d.load = kept, leniency, nil
	return d, nil
}

// seedLadderAndRubrics imports and publishes the sample framework, then
// derives and publishes a rubric for each interview type.
func (d *dataset) seedLadderAndRubrics(ctx context.Context, admin person, prefix string) error {
	f, err := d.grpc.ladder.ImportFramework(ctx, &ladderv1.ImportFrameworkRequest{FrameworkId: prefix, Content: ladder.SampleFramework}, as(admin.token))
	if err != nil {
		return fmt.Errorf("import the sample framework: %w", err)
	}
	rev, err := d.grpc.ladder.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: f.GetName()}, as(admin.token))
	if err != nil {
		return fmt.Errorf("publish the framework: %w", err)
	}
	d.framework = rev.GetName()
	for _, t := range interviewTypes {
		r, err := d.grpc.rubric.DeriveRubric(ctx, &rubricv1.DeriveRubricRequest{
			RubricId: prefix + "-" + t.id, Framework: rev.GetName(), Track: "ic", Level: "l3", InterviewType: t.id, Competencies: t.competencies,
		}, as(admin.token))
		if err != nil {
			return fmt.Errorf("derive the %s rubric: %w", t.id, err)
		}
		published, err := d.grpc.rubric.PublishRubric(ctx, &rubricv1.PublishRubricRequest{Name: r.GetName()}, as(admin.token))
		if err != nil {
			return fmt.Errorf("publish the %s rubric: %w", t.id, err)
		}
		d.rubrics = append(d.rubrics, published)
	}
	return nil
}

// createRole defines an opening whose interview plan is the panel.
func (d *dataset) createRole(ctx context.Context, id, title string) error {
	var plan []*feedbackv1.PlannedInterview
	for slot, t := range panel {
		plan = append(plan, &feedbackv1.PlannedInterview{Title: fmt.Sprintf("Interview %d: %s", slot+1, interviewTypes[t].id), Rubric: rubricOf(d.rubrics[t])})
	}
	_, err := d.grpc.feedback.CreateRole(ctx, &feedbackv1.CreateRoleRequest{RoleId: id, Role: &feedbackv1.Role{
		Title: title, Framework: strings.Split(d.framework, "/revisions/")[0], Track: "ic", Level: "l3", InterviewPlan: plan,
	}}, as(d.recruiter.token))
	if err != nil {
		return fmt.Errorf("create role %s: %w", id, err)
	}
	return nil
}

// rubricOf is the rubric a revision belongs to: rubrics/{r}.
func rubricOf(rev *rubricv1.RubricRevision) string {
	return strings.Split(rev.GetName(), "/revisions/")[0]
}

// seedCandidate creates candidate id for role with a panel of size
// interviews, each by a different interviewer (drawn for candidate k), and
// the interviewers' scorecards: submitted, or left unwritten when submit is
// false (fresh interviews for the draft-and-submit scenario).
func (d *dataset) seedCandidate(ctx context.Context, id, role string, k, size int, submit bool) (seededCandidate, error) {
	rng := rand.New(rand.NewPCG(uint64(k), 2))
	cand, err := d.grpc.feedback.CreateCandidate(ctx, &feedbackv1.CreateCandidateRequest{CandidateId: id, Candidate: &feedbackv1.Candidate{
		DisplayName: fmt.Sprintf("Candidate %d", k+1), Role: role, Level: "l3", ExternalId: "ats-" + id,
	}}, as(d.recruiter.token))
	if err != nil {
		return seededCandidate{}, fmt.Errorf("create candidate %s: %w", id, err)
	}
	c := seededCandidate{name: cand.GetName()}
	who := rng.Perm(len(d.interviewers))
	ability := rng.NormFloat64() * 0.8
	// Loops took place on the days before today, in the order seeded.
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -1-(len(d.candidates)-k)/4)
	for slot := range size {
		iv := who[slot%len(who)]
		interview, err := d.grpc.feedback.CreateInterview(ctx, &feedbackv1.CreateInterviewRequest{Parent: cand.GetName(), Interview: &feedbackv1.Interview{
			Interviewer: d.interviewers[iv].subject, Rubric: d.rubrics[panel[slot]].GetName(), ScheduledTime: timestamppb.New(day.Add(time.Duration(9+slot) * time.Hour)),
		}}, as(d.recruiter.token))
		if err != nil {
			return seededCandidate{}, fmt.Errorf("create an interview of %s: %w", id, err)
		}
		c.interviews, c.interviewers = append(c.interviews, interview.GetName()), append(c.interviewers, iv)
		if d.load != nil {
			atomic.AddInt64(&d.load[iv], 1)
		}
		if !submit {
			continue
		}
		sc := d.scorecard(interview.GetName()+"/scorecard", d.rubrics[panel[slot]], ability+d.leniency[iv], rng)
		saved, err := d.grpc.UpdateScorecard(ctx, d.interviewers[iv].token, sc)
		if err != nil {
			return seededCandidate{}, fmt.Errorf("save a draft of %s: %w", sc.GetName(), err)
		}
		if _, err := d.grpc.SubmitScorecard(ctx, d.interviewers[iv].token, saved.GetName(), saved.GetEtag()); err != nil {
			return seededCandidate{}, fmt.Errorf("submit %s: %w", sc.GetName(), err)
		}
	}
	return c, nil
}

// scorecard is a complete scorecard on rev: every competency scored about
// the scale's middle plus bias, with evidence of a realistic length.
func (d *dataset) scorecard(name string, rev *rubricv1.RubricRevision, bias float64, rng *rand.Rand) *feedbackv1.Scorecard {
	scale := rev.GetSnapshot().GetScale()
	lo, hi := scale.GetMin(), scale.GetMax()
	mid := float64(lo+hi) / 2
	sc := &feedbackv1.Scorecard{
		Name:        name,
		NoteToPanel: filler("Note to the panel: how the interview went and what to probe next.", 200),
		PrivateNote: filler("Private note, for the author alone.", 100),
	}
	var total float64
	for _, c := range rev.GetSnapshot().GetCompetencies() {
		score := int32(math.Round(mid + bias + rng.NormFloat64()*0.6))
		score = min(max(score, lo), hi)
		total += float64(score)
		sc.Ratings = append(sc.Ratings, &feedbackv1.Rating{
			Competency: c.GetId(), Score: &score,
			Evidence: filler("Evidence for "+c.GetId()+": what the candidate said and did, and why it earns this score.", 300),
		})
	}
	mean := total / float64(len(sc.Ratings))
	switch {
	case mean >= mid+1:
		sc.Recommendation = feedbackv1.Recommendation_RECOMMENDATION_STRONG_YES
	case mean >= mid:
		sc.Recommendation = feedbackv1.Recommendation_RECOMMENDATION_YES
	case mean >= mid-1:
		sc.Recommendation = feedbackv1.Recommendation_RECOMMENDATION_NO
	default:
		sc.Recommendation = feedbackv1.Recommendation_RECOMMENDATION_STRONG_NO
	}
	return sc
}

// filler repeats s to n characters.
func filler(s string, n int) string {
	return strings.Repeat(s+" ", n/(len(s)+1)+1)[:n]
}
