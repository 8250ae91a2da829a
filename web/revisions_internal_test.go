package web

import (
	"context"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// fakeRubrics answers revision reads for the tokens it accepts, and
// counts the calls.
type fakeRubrics struct {
	rubricv1.RubricServiceClient
	accept map[string]bool
	calls  int
}

func (f *fakeRubrics) GetRubricRevision(ctx context.Context, in *rubricv1.GetRubricRevisionRequest, _ ...grpc.CallOption) (*rubricv1.RubricRevision, error) {
	f.calls++
	md, _ := metadata.FromOutgoingContext(ctx)
	if auth := md.Get("authorization"); len(auth) != 1 || !f.accept[auth[0]] {
		return nil, status.Error(codes.Unauthenticated, "bad token")
	}
	name := in.GetName()
	if name == "rubrics/r/revisions/latest" {
		name = "rubrics/r/revisions/2"
	}
	return &rubricv1.RubricRevision{Name: name}, nil
}

// A kept revision is served only to a token the service accepted; others,
// and latest, go to the service every time.
func TestRubricRevisionsServeAcceptedTokensOnly(t *testing.T) {
	f := &fakeRubrics{accept: map[string]bool{"Bearer ann": true, "Bearer bob": true}}
	c := newRubricRevisions(f)
	as := func(token string) context.Context {
		return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+token)
	}
	for _, tt := range []struct {
		who, name string
		wantCall  bool
		wantErr   bool
	}{
		{"ann", "rubrics/r/revisions/1", true, false},      // first read
		{"ann", "rubrics/r/revisions/1", false, false},     // from memory
		{"eve", "rubrics/r/revisions/1", true, true},       // kept, but her token was never accepted
		{"eve", "rubrics/r/revisions/1", true, true},       // and still is not
		{"bob", "rubrics/r/revisions/1", true, false},      // accepted now...
		{"bob", "rubrics/r/revisions/1", false, false},     // ...and served from memory after
		{"ann", "rubrics/r/revisions/latest", true, false}, // latest moves
		{"ann", "rubrics/r/revisions/latest", true, false}, // every time
		{"ann", "rubrics/r/revisions/2", true, false},      // read through latest, but not kept under it
		{"ann", "rubrics/r/revisions/2", false, false},
	} {
		before := f.calls
		rev, err := c.get(as(tt.who), tt.name)
		if called := f.calls > before; called != tt.wantCall || (err != nil) != tt.wantErr {
			t.Errorf("get(%s, %s) = %v, %v, called the service %v; want error %v, call %v", tt.who, tt.name, rev, err, called, tt.wantErr, tt.wantCall)
		}
	}
	if _, err := c.get(context.Background(), "rubrics/r/revisions/1"); err == nil {
		t.Error("get() without credentials served a kept revision")
	}
}
