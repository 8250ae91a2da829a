package feedback

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"

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
	return s.createCandidate(ctx, req.GetCandidateId(), req.GetRequestId(), candidateFromProto(req.GetCandidate()))
}

// createCandidate creates a checked candidate with the ID given, or a
// random one when it is empty.
func (s *Server) createCandidate(ctx context.Context, givenID, requestID string, c candidate) (*feedbackv1.Candidate, error) {
	c.Interviews = []interview{}
	id := givenID
	for attempt := 0; ; attempt++ {
		if givenID == "" {
			id = "c" + randomHex(6) // a candidate's ID must not spell their name
		}
		name := candidatesPrefix + id
		// An erased name is never used again (see erasure.go): refused here,
		// and by the fence after the write for a create that raced the erasure.
		if erased, err := s.store.erased(ctx, name); err != nil || erased {
			if err == nil {
				err = errErased(name)
			}
			if givenID == "" && attempt < 3 {
				continue
			}
			return nil, err
		}
		// Listed first, so that the lists never miss a candidate; taken out
		// again below when the create fails (membership.go).
		c.Listed = time.Now().UTC().Truncate(time.Millisecond)
		if err := s.store.listCandidate(ctx, name, c.Role, c.Listed); err != nil {
			return nil, err
		}
		want := versioned.Expect{Exists: versioned.MustNotExist, RequestID: requestID, AnyName: givenID == ""}
		doc, err := s.store.candidates.Apply(ctx, name, principal.User(ctx), want, func(cur *versioned.Doc[candidate]) (versioned.Edit[candidate], error) {
			if cur != nil { // a tombstone: the candidate is being erased
				return versioned.Edit[candidate]{}, errErased(name)
			}
			return versioned.Edit[candidate]{Kind: kindCreate, Data: c}, nil
		})
		if errors.Is(err, apierr.ErrConflict) {
			err = apierr.AlreadyExists(name)
		}
		if (err != nil || doc.Name != name) && !s.listedAt(ctx, name, c.Listed) { // failed, or a replay of an earlier attempt's create
			if err := s.store.unlistCandidate(context.WithoutCancel(ctx), name, c.Role, c.Listed); err != nil {
				return nil, err
			}
		}
		if (errors.Is(err, apierr.ErrAlreadyExists) || errors.Is(err, apierr.ErrFailedPrecondition)) && givenID == "" && attempt < 3 {
			continue
		}
		if err != nil {
			return nil, err
		}
		return candidateToProto(doc), nil
	}
}

// listedAt reports whether a live candidate stands in the lists at a
// time: then a create that failed (a concurrent create of the same name
// won, in the same millisecond) must leave the entry it shares.
func (s *Server) listedAt(ctx context.Context, name string, at time.Time) bool {
	doc, err := s.store.candidates.Find(context.WithoutCancel(ctx), name)
	return err == nil && doc.Live() && doc.Data.Listed.Equal(at)
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

// storedCandidate is candidate as stored (versioned.Store.Stored): for
// lists and comparisons.
func (s *Server) storedCandidate(ctx context.Context, name string) (*versioned.Doc[candidate], error) {
	doc, err := s.store.candidates.Stored(ctx, name)
	if err != nil {
		return nil, err
	}
	if !doc.Live() || !viewerOf(ctx).seesCandidate(&doc.Data) {
		return nil, apierr.NotFound(name)
	}
	return doc, nil
}

// ListCandidates lists candidates, newest first, optionally of one role:
// a page of the role's (or every candidate's) membership, then each
// candidate by _id, so a page costs what it shows.
func (s *Server) ListCandidates(ctx context.Context, req *feedbackv1.ListCandidatesRequest) (*feedbackv1.ListCandidatesResponse, error) {
	query := "candidates?role=" + req.GetRole()
	size := paging.Size(req.GetPageSize())
	docs, next, err := s.listCandidates(ctx, req.GetPageToken(), query, size, req.GetRole())
	if err != nil {
		return nil, err
	}
	resp := &feedbackv1.ListCandidatesResponse{NextPageToken: next}
	for _, d := range docs {
		resp.Candidates = append(resp.Candidates, candidateToProto(d))
	}
	return resp, nil
}

// listCandidates reads a page of candidates, newest first, of a role or
// of all, and returns the token of the next page ("" on the last). Entries
// that name no live candidate of the role are skipped (membership.go), so a
// page may be short.
func (s *Server) listCandidates(ctx context.Context, pageToken, query string, size int, role string) ([]*versioned.Doc[candidate], string, error) {
	key, err := paging.Key(pageToken, query)
	if err != nil {
		return nil, "", err
	}
	var after *position
	if key != "" {
		if after, err = parsePosition(key); err != nil {
			return nil, "", err
		}
	}
	list := allCandidatesKey
	if role != "" {
		list = roleCandidatesKey(role)
	}
	members, err := s.store.members.page(ctx, list, after, size+1, true)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(members) > size {
		members = members[:size]
		next = paging.Token(position(members[size-1]).String(), query)
	}
	docs := make([]*versioned.Doc[candidate], len(members))
	err = readEach(ctx, len(members), func(ctx context.Context, i int) error {
		d, err := s.store.candidates.Stored(ctx, members[i].Name)
		if err == nil && d.Live() && (role == "" || d.Data.Role == role) {
			docs[i] = d
		}
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return slices.DeleteFunc(docs, func(d *versioned.Doc[candidate]) bool { return d == nil }), next, nil
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
	// A new role lists the candidate under it first, so that the role's
	// list never misses them; the old role's entry goes after the change.
	// Entries that do not match the candidate's role are skipped by
	// readers meanwhile (membership.go).
	before, err := s.store.candidates.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	moved := slices.Contains(paths, "role") && in.GetRole() != before.Data.Role
	if moved {
		if err := s.store.members.add(ctx, roleCandidatesKey(in.GetRole()), name, listedAt(before)); err != nil {
			return nil, err
		}
	}
	want := versioned.Expect{ETag: in.GetEtag(), Exists: versioned.MustExist}
	doc, err := s.store.candidates.Apply(ctx, name, principal.User(ctx), want, func(cur *versioned.Doc[candidate]) (versioned.Edit[candidate], error) {
		if cur.Data.Source != "" && slices.Contains(paths, "external_id") && in.GetExternalId() != cur.Data.ExternalID {
			// Imports find the candidate by it (imports.go).
			return versioned.Edit[candidate]{}, apierr.FailedPrecondition("%s was imported from %s: its external_id is that system's and cannot change", name, cur.Data.Source)
		}
		next := candidateToProto(cur)
		for _, p := range paths {
			setCandidateField(next, in, p)
		}
		if err := validateCandidate(next, "candidate"); err != nil {
			return versioned.Edit[candidate]{}, err
		}
		c := candidateFromProto(next)
		c.Interviews, c.Listed, c.Source = cur.Data.Interviews, cur.Data.Listed, cur.Data.Source
		return versioned.Edit[candidate]{Kind: kindUpdate, Fields: paths, Data: c}, nil
	})
	if moved {
		// Take out the role the candidate left, or, when the change failed,
		// the one they did not join — unless another change moved them there
		// meanwhile (two moves of one candidate to one role at once, one of
		// them failing, can still race here: the candidate then stays in
		// the list of every candidate, and is listed again by its next move).
		left := before.Data.Role
		if err != nil {
			left = in.GetRole()
			if now, gerr := s.store.candidates.Find(ctx, name); gerr != nil || (now.Live() && now.Data.Role == left) {
				left = ""
			}
		}
		if left != "" {
			if err := s.store.members.remove(context.WithoutCancel(ctx), roleCandidatesKey(left), name, listedAt(before)); err != nil {
				return nil, err
			}
		}
	}
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
	Updatable: []string{"display_name", "role", "level", "external_id", "state", "hired_user"},
	Ignored:   map[string]bool{"name": true, "etag": true, "create_time": true, "update_time": true},
}

// candidateFieldSet says whether a candidate field is set in a request.
func candidateFieldSet(in *feedbackv1.Candidate) func(string) bool {
	set := map[string]bool{
		"display_name": in.GetDisplayName() != "", "role": in.GetRole() != "", "level": in.GetLevel() != "",
		"external_id": in.GetExternalId() != "", "state": in.GetState() != 0, "hired_user": in.GetHiredUser() != "",
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
	case "hired_user":
		dst.HiredUser = src.GetHiredUser()
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
