package feedback

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/fieldcheck"
	"github.com/yardstick-dev/yardstick/pkg/paging"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// CreateCandidate creates a candidate, with the client's ID or a random one.
func (s *Server) CreateCandidate(ctx context.Context, req *feedbackv1.CreateCandidateRequest) (*feedbackv1.Candidate, error) {
	if err := validateCandidate(req.GetCandidate(), "candidate"); err != nil {
		return nil, err
	}
	c := candidateFromProto(req.GetCandidate())
	c.Interviews = []interview{}
	id := req.GetCandidateId()
	for attempt := 0; ; attempt++ {
		if req.GetCandidateId() == "" {
			id = "c" + randomHex(6) // a candidate's ID must not spell their name
		}
		name := candidatesPrefix + id
		// An erased name is never used again (see erasure.go): refused here,
		// and by the fence after the write for a create that raced the erasure.
		if erased, err := s.store.erased(ctx, name); err != nil || erased {
			if err == nil {
				err = errErased(name)
			}
			if req.GetCandidateId() == "" && attempt < 3 {
				continue
			}
			return nil, err
		}
		want := versioned.Expect{Exists: versioned.MustNotExist, RequestID: req.GetRequestId(), AnyName: req.GetCandidateId() == ""}
		doc, err := s.store.candidates.Apply(ctx, name, principal.User(ctx), want, func(cur *versioned.Doc[candidate]) (versioned.Edit[candidate], error) {
			if cur != nil { // a tombstone: the candidate is being erased
				return versioned.Edit[candidate]{}, errErased(name)
			}
			return versioned.Edit[candidate]{Kind: kindCreate, Data: c}, nil
		})
		if errors.Is(err, apierr.ErrConflict) {
			err = apierr.AlreadyExists(name)
		}
		if (errors.Is(err, apierr.ErrAlreadyExists) || errors.Is(err, apierr.ErrFailedPrecondition)) && req.GetCandidateId() == "" && attempt < 3 {
			continue
		}
		if err != nil {
			return nil, err
		}
		return candidateToProto(doc), nil
	}
}

// GetCandidate returns a candidate the caller may see.
func (s *Server) GetCandidate(ctx context.Context, req *feedbackv1.GetCandidateRequest) (*feedbackv1.Candidate, error) {
	doc, err := s.candidate(ctx, req.GetName())
	if err != nil {
		return nil, err
	}
	return candidateToProto(doc), nil
}

// candidate reads a candidate the caller may see; any other is not found.
func (s *Server) candidate(ctx context.Context, name string) (*versioned.Doc[candidate], error) {
	doc, err := s.store.candidates.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	if !viewerOf(ctx).seesCandidate(&doc.Data) {
		return nil, apierr.NotFound(name)
	}
	return doc, nil
}

// ListCandidates lists candidates by name, optionally for one role. On the
// embedded store this scans: it is a page a recruiter looks at.
func (s *Server) ListCandidates(ctx context.Context, req *feedbackv1.ListCandidatesRequest) (*feedbackv1.ListCandidatesResponse, error) {
	query := "candidates?role=" + req.GetRole()
	after, err := paging.Key(req.GetPageToken(), query)
	if err != nil {
		return nil, err
	}
	size := paging.Size(req.GetPageSize())
	docs, err := s.listCandidates(ctx, after, size+1, req.GetRole())
	if err != nil {
		return nil, err
	}
	resp := &feedbackv1.ListCandidatesResponse{}
	if len(docs) > size {
		docs = docs[:size]
		resp.NextPageToken = paging.Token(docs[size-1].Name, query)
	}
	for i := range docs {
		resp.Candidates = append(resp.Candidates, candidateToProto(&docs[i]))
	}
	return resp, nil
}

func (s *Server) listCandidates(ctx context.Context, after string, limit int, role string) ([]versioned.Doc[candidate], error) {
	var where bson.D
	if role != "" {
		where = bson.D{{Key: "data.role", Value: role}}
	}
	return s.store.candidates.List(ctx, after, limit, where)
}

// UpdateCandidate changes the fields named in the update mask.
func (s *Server) UpdateCandidate(ctx context.Context, req *feedbackv1.UpdateCandidateRequest) (*feedbackv1.Candidate, error) {
	in := req.GetCandidate()
	name := in.GetName()
	if id, ok := strings.CutPrefix(name, candidatesPrefix); !ok || !fieldcheck.IDPattern.MatchString(id) {
		return nil, apierr.Invalid("candidate.name", "must name a candidate: candidates/{candidate}, with a lower-case ID")
	}
	if in.GetEtag() == "" {
		return nil, apierr.Invalid("candidate.etag", "required: send the etag of the version you are changing")
	}
	paths, err := candidateMask.Paths(req.GetUpdateMask().GetPaths(), candidateFieldSet(in))
	if err != nil {
		return nil, err
	}
	want := versioned.Expect{ETag: in.GetEtag(), Exists: versioned.MustExist}
	doc, err := s.store.candidates.Apply(ctx, name, principal.User(ctx), want, func(cur *versioned.Doc[candidate]) (versioned.Edit[candidate], error) {
		next := candidateToProto(cur)
		for _, p := range paths {
			setCandidateField(next, in, p)
		}
		if err := validateCandidate(next, "candidate"); err != nil {
			return versioned.Edit[candidate]{}, err
		}
		c := candidateFromProto(next)
		c.Interviews = cur.Data.Interviews
		return versioned.Edit[candidate]{Kind: kindUpdate, Fields: paths, Data: c}, nil
	})
	if err != nil {
		return nil, err
	}
	return candidateToProto(doc), nil
}

// DeleteCandidate erases a candidate and everything under it.
func (s *Server) DeleteCandidate(ctx context.Context, req *feedbackv1.DeleteCandidateRequest) (*emptypb.Empty, error) {
	if err := s.store.erase(ctx, req.GetName(), principal.User(ctx)); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

// candidateMask is what an update mask of a candidate may name.
var candidateMask = fieldcheck.UpdateMask{
	Updatable: []string{"display_name", "role", "level", "external_id", "state"},
	Ignored:   map[string]bool{"name": true, "etag": true, "create_time": true, "update_time": true},
}

// candidateFieldSet says whether a candidate field is set in a request.
func candidateFieldSet(in *feedbackv1.Candidate) func(string) bool {
	set := map[string]bool{
		"display_name": in.GetDisplayName() != "", "role": in.GetRole() != "", "level": in.GetLevel() != "",
		"external_id": in.GetExternalId() != "", "state": in.GetState() != 0,
	}
	return func(field string) bool { return set[field] }
}

func setCandidateField(dst, src *feedbackv1.Candidate, field string) {
	switch field {
	case "display_name":
		dst.DisplayName = src.GetDisplayName()
	case "role":
		dst.Role = src.GetRole()
	case "level":
		dst.Level = src.GetLevel()
	case "external_id":
		dst.ExternalId = src.GetExternalId()
	case "state":
		dst.State = src.GetState()
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
