package feedback

import (
	"context"

	"google.golang.org/grpc"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// Server implements the FeedbackService gRPC API. It embeds the Unsafe
// interface: an RPC added to the proto and not implemented here fails to
// compile.
type Server struct {
	feedbackv1.UnsafeFeedbackServiceServer
	store   *Store
	rubrics *rubricCache
	opts    Options
}

var _ feedbackv1.FeedbackServiceServer = (*Server)(nil)

// RubricReader is what the feedback service needs of the rubric service:
// reading a published rubric revision. A rubricv1.RubricServiceClient (with
// auth.ForwardCredentials, so that the caller's rights apply) is one.
type RubricReader interface {
	GetRubricRevision(ctx context.Context, in *rubricv1.GetRubricRevisionRequest, opts ...grpc.CallOption) (*rubricv1.RubricRevision, error)
}

// PeopleReader is what the feedback service needs of the people
// directory: whether someone is deactivated (a deactivated person is not
// assigned interviews). A ladderv1.LadderServiceClient (with
// auth.ForwardCredentials) is one.
type PeopleReader interface {
	GetUser(ctx context.Context, in *ladderv1.GetUserRequest, opts ...grpc.CallOption) (*ladderv1.User, error)
}

// Options tune the service.
type Options struct {
	// People, when set, is asked before an interview is assigned.
	People PeopleReader
	// MinCoverage is how many interviews must assess a competency before
	// a summary stops flagging it; 2 when 0.
	MinCoverage int
	// MinScorecards is how many submitted scorecards an interviewer needs
	// in scope before their leniency is removed from scores, and before
	// their own standing is shown to them; 3 when 0.
	MinScorecards int
	// Metrics, when set, record the time from interview to submission.
	Metrics *Metrics
	// NotJobRelated are the words and phrases the evidence checks flag as
	// not job-related; DefaultNotJobRelated when nil.
	NotJobRelated []string
	// SelfIDCategories are the categories of voluntary self-identification
	// asked about; DefaultSelfIDCategories when nil. Every category also
	// offers "prefer-not-to-say".
	SelfIDCategories []*feedbackv1.SelfIdentificationCategory
	// Growth, when set, reads people's assessments from the ladder
	// service, with the caller's token, for the closed-loop report.
	Growth GrowthReader
	// ClosedLoopMinN is the least number of people a correlation of the
	// closed-loop report is shown for; DefaultClosedLoopMinN when 0.
	ClosedLoopMinN int
}

// New returns a server over an initialised store, reading rubric revisions
// through rubrics.
func New(store *Store, rubrics RubricReader, opts Options) *Server {
	if opts.MinCoverage <= 0 {
		opts.MinCoverage = 2
	}
	if opts.MinScorecards <= 0 {
		opts.MinScorecards = 3
	}
	if opts.NotJobRelated == nil {
		opts.NotJobRelated = DefaultNotJobRelated
	}
	if opts.ClosedLoopMinN <= 0 {
		opts.ClosedLoopMinN = DefaultClosedLoopMinN
	}
	if opts.SelfIDCategories == nil {
		opts.SelfIDCategories = DefaultSelfIDCategories
	}
	opts.SelfIDCategories = withPreferNotToSay(opts.SelfIDCategories)
	return &Server{store: store, rubrics: newRubricCache(rubrics), opts: opts}
}
