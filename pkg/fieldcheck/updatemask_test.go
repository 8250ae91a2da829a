package fieldcheck

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

func TestUpdateMaskPaths(t *testing.T) {
	mask := UpdateMask{
		Updatable: []string{"title", "description", "tracks"},
		Ignored:   map[string]bool{"name": true, "etag": true},
	}
	setInRequest := map[string]bool{"title": true, "tracks": true}
	isSet := func(field string) bool { return setInRequest[field] }
	for _, tt := range []struct {
		name    string
		mask    []string
		want    []string
		wantErr string // the update_mask violation, when refused
	}{
		{name: "no mask: the fields set, in message order", want: []string{"title", "tracks"}},
		{name: "named fields", mask: []string{"description"}, want: []string{"description"}},
		{name: "wildcard", mask: []string{"*"}, want: []string{"title", "description", "tracks"}},
		{name: "identity and output fields are skipped", mask: []string{"etag", "name", "title"}, want: []string{"title"}},
		{name: "an unknown field", mask: []string{"levels"}, wantErr: `cannot update "levels": the mask may name title, description, tracks, or *`},
		{name: "nothing to update", mask: []string{"etag"}, wantErr: "names no field to update (title, description, tracks)"},
		{name: "a long unknown field is clipped", mask: []string{strings.Repeat("x", 500)}, wantErr: `cannot update "` + apierr.Clip(strings.Repeat("x", 500), 100) + `": the mask may name title, description, tracks, or *`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mask.Paths(tt.mask, isSet)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("paths (-want +got):\n%s", diff)
				}
				return
			}
			var invalid *apierr.InvalidArgumentError
			if !errors.As(err, &invalid) {
				t.Fatalf("got %v, want an invalid argument", err)
			}
			want := []apierr.FieldViolation{{Field: "update_mask", Description: tt.wantErr}}
			if diff := cmp.Diff(want, invalid.Violations); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
		})
	}
}

func TestChangedFields(t *testing.T) {
	before := &ladderv1.Framework{Title: "Eng", Competencies: []*ladderv1.Competency{{Id: "craft", Title: "Craft"}}}
	after := &ladderv1.Framework{Title: "Eng", Description: "New.", Competencies: []*ladderv1.Competency{{Id: "craft", Title: "Craft!"}}}
	got := ChangedFields(before, after, []string{"title", "description", "competencies", "tracks"})
	if !slices.Equal(got, []string{"description", "competencies"}) {
		t.Errorf("ChangedFields() = %v, want description and competencies", got)
	}
	if got := ChangedFields(before, before, []string{"title", "competencies"}); got != nil {
		t.Errorf("ChangedFields(same) = %v, want none", got)
	}
}
