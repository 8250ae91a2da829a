package apierr_test

import (
	"context"
	"errors"
	"fmt"
	"go/build"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
)

// The constructors keep the texts and sentinels callers already rely on,
// and get a reason and metadata for the ErrorInfo.
func TestConstructors(t *testing.T) {
	tests := []struct {
		name         string
		err          error
		wantKind     error
		wantText     string
		wantReason   string
		wantMetadata map[string]string
	}{
		{"not found", apierr.NotFound("frameworks/x"), apierr.ErrNotFound, "frameworks/x: not found",
			"NOT_FOUND", map[string]string{"resource": "frameworks/x"}},
		{"already exists", apierr.AlreadyExists("frameworks/x"), apierr.ErrAlreadyExists, "frameworks/x: already exists",
			"ALREADY_EXISTS", map[string]string{"resource": "frameworks/x"}},
		{"conflict", apierr.Conflict("etag %q is stale", "v3"), apierr.ErrConflict, `etag "v3" is stale: conflict`, "ABORTED", nil},
		{"failed precondition", apierr.FailedPrecondition("nothing to publish"), apierr.ErrFailedPrecondition,
			"nothing to publish: failed precondition", "FAILED_PRECONDITION", nil},
		{"unavailable", apierr.Unavailable("the rubric service"), apierr.ErrUnavailable,
			"the rubric service: unavailable", "UNAVAILABLE", nil},
		{"explicit reason", &apierr.Error{Kind: apierr.ErrConflict, Reason: apierr.ReasonEtagMismatch, Message: "stale etag"},
			apierr.ErrConflict, "stale etag", "ETAG_MISMATCH", nil},
		{"new", apierr.New(apierr.ErrPermissionDenied, "not yours"), apierr.ErrPermissionDenied, "not yours", "PERMISSION_DENIED", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !errors.Is(tt.err, tt.wantKind) {
				t.Errorf("errors.Is(%v, %v) = false, want true", tt.err, tt.wantKind)
			}
			if got := tt.err.Error(); got != tt.wantText {
				t.Errorf("Error() = %q, want %q", got, tt.wantText)
			}
			if got := apierr.ResponseText(tt.err); got != tt.wantText {
				t.Errorf("ResponseText(%v) = %q, want %q", tt.err, got, tt.wantText)
			}
			var e *apierr.Error
			if !errors.As(tt.err, &e) {
				t.Fatalf("errors.As(%v, *apierr.Error) = false, want true", tt.err)
			}
			if got := e.ReasonCode(); got != tt.wantReason {
				t.Errorf("ReasonCode() = %q, want %q", got, tt.wantReason)
			}
			if diff := cmp.Diff(tt.wantMetadata, e.Metadata); diff != "" {
				t.Errorf("Metadata mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// The client reads only what was written for it: the wrapping around a
// domain error and its cause stay in Error(), for the log.
func TestResponseText(t *testing.T) {
	secret := errors.New("dial tcp 10.0.0.7:27017: connection refused")
	withCause := &apierr.Error{Kind: apierr.ErrUnavailable, Message: "the database is unavailable", Cause: secret}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"wrapped not found", fmt.Errorf("find pending change: %w", apierr.NotFound("frameworks/x")), "frameworks/x: not found"},
		{"twice wrapped", fmt.Errorf("publish: %w", fmt.Errorf("find pending change: %w", apierr.Conflict("lost a race"))),
			"lost a race: conflict"},
		{"bare sentinel", fmt.Errorf("load frameworks/x: %w", apierr.ErrNotFound), "not found"},
		{"sentinel with its own text", fmt.Errorf("token expired at 12:00: %w", apierr.ErrUnauthenticated), apierr.ErrUnauthenticated.Error()},
		{"cause kept out", fmt.Errorf("save: %w", withCause), "the database is unavailable"},
		{"kind without message", &apierr.Error{Kind: apierr.ErrPermissionDenied}, "permission denied"},
		{"invalid wrapped", fmt.Errorf("import: %w", apierr.Invalid("content", "empty document")), "invalid argument: content: empty document"},
		{"unknown", fmt.Errorf("update: %w", secret), "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := apierr.ResponseText(tt.err); got != tt.want {
				t.Errorf("ResponseText(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
	if got := withCause.Error(); !strings.Contains(got, secret.Error()) {
		t.Errorf("Error() = %q, want the cause in the internal text", got)
	}
	if !errors.Is(withCause, secret) || !errors.Is(withCause, apierr.ErrUnavailable) {
		t.Errorf("%v wraps neither its kind nor its cause", withCause)
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly", 7, "exactly"},
		{"abcdefghij", 6, "abc…"},
		{"ééééé", 7, "éé…"}, // é is 2 bytes: a cut inside one moves back to its start
		{"ééééé", 8, "éé…"},
		{"ééééé", 9, "ééé…"},
		{"abc", 2, ""},
		{"日本語のテキスト", 10, "日本…"},
	}
	for _, tt := range tests {
		got := apierr.Clip(tt.s, tt.n)
		if got != tt.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
		if len(got) > tt.n || !utf8.ValidString(got) {
			t.Errorf("Clip(%q, %d) = %q: %d bytes, valid UTF-8 %v", tt.s, tt.n, got, len(got), utf8.ValidString(got))
		}
	}
}

func TestClientViolations(t *testing.T) {
	many := func(n int) *apierr.InvalidArgumentError {
		var v apierr.Violations
		for i := range n {
			v.Add(fmt.Sprintf("framework.competencies[%d].id", i), "required")
		}
		return v.Err().(*apierr.InvalidArgumentError)
	}
	long := strings.Repeat("x", 5000)
	tests := []struct {
		name      string
		in        *apierr.InvalidArgumentError
		wantLen   int
		wantLast  apierr.FieldViolation
		wantBytes int // upper bound of Error()
	}{
		{"one", many(1), 1, apierr.FieldViolation{Field: "framework.competencies[0].id", Description: "required"}, 100},
		{"exactly the cap", many(20), 20, apierr.FieldViolation{Field: "framework.competencies[19].id", Description: "required"}, 1000},
		{"one more", many(21), 21, apierr.FieldViolation{Description: "and 1 more violation"}, 1000},
		{"ten thousand", many(10000), 21, apierr.FieldViolation{Description: "and 9980 more violations"}, 1000},
		{"long texts", &apierr.InvalidArgumentError{Violations: []apierr.FieldViolation{
			{Field: long, Description: long}, {Field: "b", Description: long}, {Field: "c", Description: long},
			{Field: "d", Description: long}, {Field: "e", Description: long},
		}}, 4, apierr.FieldViolation{Description: "and 2 more violations"}, apierr.MaxMessageBytes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.ClientViolations()
			if len(got) != tt.wantLen {
				t.Fatalf("ClientViolations() has %d violations, want %d", len(got), tt.wantLen)
			}
			if diff := cmp.Diff(tt.wantLast, got[len(got)-1]); diff != "" {
				t.Errorf("ClientViolations() last violation mismatch (-want +got):\n%s", diff)
			}
			total := 0
			for _, v := range got {
				if len(v.Field) > apierr.MaxFieldBytes || len(v.Description) > apierr.MaxDescriptionBytes {
					t.Errorf("violation of %d+%d bytes, want at most %d+%d", len(v.Field), len(v.Description), apierr.MaxFieldBytes, apierr.MaxDescriptionBytes)
				}
				total += len(v.Field) + len(v.Description)
			}
			if total > apierr.MaxViolationsBytes+apierr.MaxFieldBytes+apierr.MaxDescriptionBytes {
				t.Errorf("violations total %d bytes, want about %d at most", total, apierr.MaxViolationsBytes)
			}
			if n := len(tt.in.Error()); n > tt.wantBytes {
				t.Errorf("Error() is %d bytes, want at most %d", n, tt.wantBytes)
			}
			if n := len(apierr.ResponseText(tt.in)); n > 1<<10 {
				t.Errorf("ResponseText() is %d bytes, want at most 1 KiB", n)
			}
		})
	}
}

func TestInvalid(t *testing.T) {
	var v apierr.Violations
	if err := v.Err(); err != nil {
		t.Errorf("Violations{}.Err() = %v, want nil", err)
	}
	v.Add("framework.title", "required")
	v.Add("framework.tracks[1].id", "duplicate track ID %q", "ic")
	want := `invalid argument: framework.title: required; framework.tracks[1].id: duplicate track ID "ic"`
	if got := v.Err().Error(); got != want {
		t.Errorf("Err().Error() = %q, want %q", got, want)
	}
	if got := apierr.Invalid("content", "empty %s", "document").Error(); got != "invalid argument: content: empty document" {
		t.Errorf("Invalid().Error() = %q", got)
	}
}

func TestDefaultReason(t *testing.T) {
	tests := []struct {
		kind error
		want string
	}{
		{apierr.ErrNotFound, "NOT_FOUND"},
		{apierr.ErrAlreadyExists, "ALREADY_EXISTS"},
		{apierr.ErrConflict, "ABORTED"},
		{apierr.ErrFailedPrecondition, "FAILED_PRECONDITION"},
		{apierr.ErrUnauthenticated, "UNAUTHENTICATED"},
		{apierr.ErrPermissionDenied, "PERMISSION_DENIED"},
		{apierr.ErrUnavailable, "UNAVAILABLE"},
		{context.DeadlineExceeded, "INTERNAL"},
		{nil, "INTERNAL"},
	}
	for _, tt := range tests {
		if got := apierr.DefaultReason(tt.kind); got != tt.want {
			t.Errorf("DefaultReason(%v) = %q, want %q", tt.kind, got, tt.want)
		}
	}
}

// The domain errors import no transport: stores and services depend on
// them without pulling in gRPC.
func TestImportsNoTransport(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if strings.Contains(imp, ".") {
			t.Errorf("package apierr imports %q, want the standard library only", imp)
		}
	}
}
