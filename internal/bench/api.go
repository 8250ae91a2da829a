package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/yardstick-dev/yardstick/pkg/auth"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// api is the calls the scenarios make, each with the caller's bearer token:
// once over gRPC and once over the REST gateway, so that a scenario is
// written once and measured over both.
type api interface {
	UpdateScorecard(ctx context.Context, token string, sc *feedbackv1.Scorecard) (*feedbackv1.Scorecard, error)
	SubmitScorecard(ctx context.Context, token, name, etag string) (*feedbackv1.Scorecard, error)
	ListInterviews(ctx context.Context, token, parent string) (*feedbackv1.ListInterviewsResponse, error)
	SummarizeCandidate(ctx context.Context, token, name string) (*feedbackv1.CandidateSummary, error)
	GetScorecard(ctx context.Context, token, name string) (*feedbackv1.Scorecard, error)
	CompareCandidates(ctx context.Context, token, role string) (*feedbackv1.CompareCandidatesResponse, error)
	ListCandidates(ctx context.Context, token, role string) (*feedbackv1.ListCandidatesResponse, error)
	ComputeCalibration(ctx context.Context, token, role string) (*feedbackv1.CalibrationReport, error)
	GetFrameworkRevision(ctx context.Context, token, name string) (*ladderv1.FrameworkRevision, error)
	GetRubricRevision(ctx context.Context, token, name string) (*rubricv1.RubricRevision, error)
}

// grpcAPI calls the services through their generated clients.
type grpcAPI struct {
	ladder   ladderv1.LadderServiceClient
	rubric   rubricv1.RubricServiceClient
	feedback feedbackv1.FeedbackServiceClient
}

func newGRPCAPI(cc grpc.ClientConnInterface) *grpcAPI {
	return &grpcAPI{
		ladder:   ladderv1.NewLadderServiceClient(cc),
		rubric:   rubricv1.NewRubricServiceClient(cc),
		feedback: feedbackv1.NewFeedbackServiceClient(cc),
	}
}

// as is the call option that sends token.
func as(token string) grpc.CallOption { return grpc.PerRPCCredentials(auth.Bearer(token)) }

func (g *grpcAPI) UpdateScorecard(ctx context.Context, token string, sc *feedbackv1.Scorecard) (*feedbackv1.Scorecard, error) {
	return g.feedback.UpdateScorecard(ctx, &feedbackv1.UpdateScorecardRequest{Scorecard: sc}, as(token))
}

func (g *grpcAPI) SubmitScorecard(ctx context.Context, token, name, etag string) (*feedbackv1.Scorecard, error) {
	return g.feedback.SubmitScorecard(ctx, &feedbackv1.SubmitScorecardRequest{Name: name, Etag: etag}, as(token))
}

func (g *grpcAPI) ListInterviews(ctx context.Context, token, parent string) (*feedbackv1.ListInterviewsResponse, error) {
	return g.feedback.ListInterviews(ctx, &feedbackv1.ListInterviewsRequest{Parent: parent}, as(token))
}

func (g *grpcAPI) SummarizeCandidate(ctx context.Context, token, name string) (*feedbackv1.CandidateSummary, error) {
	return g.feedback.SummarizeCandidate(ctx, &feedbackv1.SummarizeCandidateRequest{Name: name}, as(token))
}

func (g *grpcAPI) GetScorecard(ctx context.Context, token, name string) (*feedbackv1.Scorecard, error) {
	return g.feedback.GetScorecard(ctx, &feedbackv1.GetScorecardRequest{Name: name}, as(token))
}

func (g *grpcAPI) CompareCandidates(ctx context.Context, token, role string) (*feedbackv1.CompareCandidatesResponse, error) {
	return g.feedback.CompareCandidates(ctx, &feedbackv1.CompareCandidatesRequest{Role: role}, as(token))
}

func (g *grpcAPI) ListCandidates(ctx context.Context, token, role string) (*feedbackv1.ListCandidatesResponse, error) {
	return g.feedback.ListCandidates(ctx, &feedbackv1.ListCandidatesRequest{Role: role}, as(token))
}

func (g *grpcAPI) ComputeCalibration(ctx context.Context, token, role string) (*feedbackv1.CalibrationReport, error) {
	return g.feedback.ComputeCalibration(ctx, &feedbackv1.ComputeCalibrationRequest{Scope: &feedbackv1.CalibrationScope{Role: role}}, as(token))
}

func (g *grpcAPI) GetFrameworkRevision(ctx context.Context, token, name string) (*ladderv1.FrameworkRevision, error) {
	return g.ladder.GetFrameworkRevision(ctx, &ladderv1.GetFrameworkRevisionRequest{Name: name}, as(token))
}

func (g *grpcAPI) GetRubricRevision(ctx context.Context, token, name string) (*rubricv1.RubricRevision, error) {
	return g.rubric.GetRubricRevision(ctx, &rubricv1.GetRubricRevisionRequest{Name: name}, as(token))
}

// restAPI calls the same methods through the gateway, as HTTP/JSON with the
// bearer token, decoding each answer as a client would.
type restAPI struct {
	base   string // http://host:port
	client *http.Client
}

func (r *restAPI) UpdateScorecard(ctx context.Context, token string, sc *feedbackv1.Scorecard) (*feedbackv1.Scorecard, error) {
	out := &feedbackv1.Scorecard{}
	return out, r.do(ctx, token, http.MethodPatch, "/v1/"+sc.GetName(), nil, sc, out)
}

func (r *restAPI) SubmitScorecard(ctx context.Context, token, name, etag string) (*feedbackv1.Scorecard, error) {
	out := &feedbackv1.Scorecard{}
	return out, r.do(ctx, token, http.MethodPost, "/v1/"+name+":submit", nil, &feedbackv1.SubmitScorecardRequest{Etag: etag}, out)
}

func (r *restAPI) ListInterviews(ctx context.Context, token, parent string) (*feedbackv1.ListInterviewsResponse, error) {
	out := &feedbackv1.ListInterviewsResponse{}
	return out, r.do(ctx, token, http.MethodGet, "/v1/"+parent+"/interviews", nil, nil, out)
}

func (r *restAPI) SummarizeCandidate(ctx context.Context, token, name string) (*feedbackv1.CandidateSummary, error) {
	out := &feedbackv1.CandidateSummary{}
	return out, r.do(ctx, token, http.MethodGet, "/v1/"+name+":summarize", nil, nil, out)
}

func (r *restAPI) GetScorecard(ctx context.Context, token, name string) (*feedbackv1.Scorecard, error) {
	out := &feedbackv1.Scorecard{}
	return out, r.do(ctx, token, http.MethodGet, "/v1/"+name, nil, nil, out)
}

func (r *restAPI) CompareCandidates(ctx context.Context, token, role string) (*feedbackv1.CompareCandidatesResponse, error) {
	out := &feedbackv1.CompareCandidatesResponse{}
	return out, r.do(ctx, token, http.MethodGet, "/v1/candidates:compare", url.Values{"role": {role}}, nil, out)
}

func (r *restAPI) ListCandidates(ctx context.Context, token, role string) (*feedbackv1.ListCandidatesResponse, error) {
	out := &feedbackv1.ListCandidatesResponse{}
	return out, r.do(ctx, token, http.MethodGet, "/v1/candidates", url.Values{"role": {role}}, nil, out)
}

func (r *restAPI) ComputeCalibration(ctx context.Context, token, role string) (*feedbackv1.CalibrationReport, error) {
	out := &feedbackv1.CalibrationReport{}
	in := &feedbackv1.ComputeCalibrationRequest{Scope: &feedbackv1.CalibrationScope{Role: role}}
	return out, r.do(ctx, token, http.MethodPost, "/v1/calibrations:compute", nil, in, out)
}

func (r *restAPI) GetFrameworkRevision(ctx context.Context, token, name string) (*ladderv1.FrameworkRevision, error) {
	out := &ladderv1.FrameworkRevision{}
	return out, r.do(ctx, token, http.MethodGet, "/v1/"+name, nil, nil, out)
}

func (r *restAPI) GetRubricRevision(ctx context.Context, token, name string) (*rubricv1.RubricRevision, error) {
	out := &rubricv1.RubricRevision{}
	return out, r.do(ctx, token, http.MethodGet, "/v1/"+name, nil, nil, out)
}

var unmarshal = protojson.UnmarshalOptions{DiscardUnknown: true}

// do sends one request with body (when not nil) as JSON and decodes a 2xx
// answer into out; any other answer is an error with the gateway's message.
func (r *restAPI) do(ctx context.Context, token, method, path string, query url.Values, body, out proto.Message) error {
	var reader io.Reader
	if body != nil {
		b, err := protojson.Marshal(body)
		if err != nil {
			return err
		}
		reader = bytes.NewReader(b)
	}
	u := r.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, reader)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, strings.TrimSpace(string(data)))
	}
	return unmarshal.Unmarshal(data, out)
}
