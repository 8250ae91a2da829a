package ladder_test

import (
	"context"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// The directory: admins keep every field, a person their own name and
// email (what sign-in copies from the ID token); everyone reads it, one
// person, a batch or a page at a time.
func TestDirectory(t *testing.T) {
	ctx := context.Background()
	e := testenv.Start(t, testenv.Options{})
	admin := e.LadderAs("users/adam", principal.Admin)
	ivan := e.LadderAs("users/ivan", principal.Interviewer)

	// A person signs in: their own entry is added from the token's claims.
	me, err := ivan.UpdateUser(ctx, &ladderv1.UpdateUserRequest{
		User:         &ladderv1.User{Name: "users/ivan", DisplayName: "Ivan Petrov", Email: "ivan@example.com"},
		AllowMissing: true,
	})
	if err != nil || me.GetDisplayName() != "Ivan Petrov" || me.GetEtag() == "" || me.GetCreateTime() == nil {
		t.Fatalf("own entry at sign-in = %v, %v", me, err)
	}
	// The same claims again change nothing.
	again, err := ivan.UpdateUser(ctx, &ladderv1.UpdateUserRequest{User: &ladderv1.User{Name: "users/ivan", DisplayName: "Ivan Petrov"}})
	if err != nil || again.GetEtag() != me.GetEtag() {
		t.Errorf("same name again = %v, %v, want the entry unchanged (etag %s)", again, err, me.GetEtag())
	}
	// A person's title and level are the admins' to set.
	_, err = ivan.UpdateUser(ctx, &ladderv1.UpdateUserRequest{User: &ladderv1.User{Name: "users/ivan", Level: "l5"}})
	wantCode(t, err, codes.PermissionDenied, "")
	_, err = ivan.UpdateUser(ctx, &ladderv1.UpdateUserRequest{User: &ladderv1.User{Name: "users/ines", DisplayName: "Not Ines"}, AllowMissing: true})
	wantCode(t, err, codes.PermissionDenied, "")

	// An admin fills in the rest; a stale etag is refused.
	up, err := admin.UpdateUser(ctx, &ladderv1.UpdateUserRequest{
		User: &ladderv1.User{Name: "users/ivan", Etag: me.GetEtag(), Title: "Staff Engineer", Manager: "users/adam",
			Framework: "frameworks/engineering", Track: "ic", Level: "l4"},
	})
	if err != nil || up.GetTitle() != "Staff Engineer" || up.GetDisplayName() != "Ivan Petrov" || up.GetLevel() != "l4" {
		t.Fatalf("admin update = %v, %v, want the title and level set, the name kept", up, err)
	}
	_, err = admin.UpdateUser(ctx, &ladderv1.UpdateUserRequest{User: &ladderv1.User{Name: "users/ivan", Etag: me.GetEtag(), Title: "Lost"}})
	wantCode(t, err, codes.Aborted, "")
	// Clearing a field takes a mask.
	cleared, err := admin.UpdateUser(ctx, &ladderv1.UpdateUserRequest{User: &ladderv1.User{Name: "users/ivan"}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}}})
	if err != nil || cleared.GetTitle() != "" || cleared.GetLevel() != "l4" {
		t.Errorf("clearing the title = %v, %v", cleared, err)
	}
	// Bad input names its field and changes nothing.
	for field, u := range map[string]*ladderv1.User{
		"user.email":     {Name: "users/ivan", Email: "not an address"},
		"user.manager":   {Name: "users/ivan", Manager: "adam"},
		"user.framework": {Name: "users/ivan", Framework: "engineering"},
		"user.level":     {Name: "users/ivan", Level: "Level 4"},
	} {
		_, err := admin.UpdateUser(ctx, &ladderv1.UpdateUserRequest{User: u})
		wantCode(t, err, codes.InvalidArgument, field)
	}
	_, err = admin.UpdateUser(ctx, &ladderv1.UpdateUserRequest{User: &ladderv1.User{Name: "users/nobody", Title: "x"}})
	wantCode(t, err, codes.NotFound, "")

	if _, err := admin.UpdateUser(ctx, &ladderv1.UpdateUserRequest{User: &ladderv1.User{Name: "users/adam", DisplayName: "Adam Novak"}, AllowMissing: true}); err != nil {
		t.Fatal(err)
	}
	// Reads: one, a batch (people not in the directory left out, in the
	// request's order), a page.
	got, err := ivan.GetUser(ctx, &ladderv1.GetUserRequest{Name: "users/adam"})
	if err != nil || got.GetDisplayName() != "Adam Novak" {
		t.Errorf("GetUser(adam) = %v, %v", got, err)
	}
	_, err = ivan.GetUser(ctx, &ladderv1.GetUserRequest{Name: "users/nobody"})
	wantCode(t, err, codes.NotFound, "")
	_, err = ivan.GetUser(ctx, &ladderv1.GetUserRequest{Name: "adam"})
	wantCode(t, err, codes.InvalidArgument, "name")
	batch, err := ivan.BatchGetUsers(ctx, &ladderv1.BatchGetUsersRequest{Names: []string{"users/ivan", "users/nobody", "users/adam", "users/ivan"}})
	if err != nil || len(batch.GetUsers()) != 2 || batch.GetUsers()[0].GetName() != "users/ivan" || batch.GetUsers()[1].GetName() != "users/adam" {
		t.Errorf("BatchGetUsers = %v, %v, want ivan then adam", batch, err)
	}
	page, err := ivan.ListUsers(ctx, &ladderv1.ListUsersRequest{PageSize: 1})
	if err != nil || len(page.GetUsers()) != 1 || page.GetUsers()[0].GetName() != "users/adam" || page.GetNextPageToken() == "" {
		t.Fatalf("ListUsers page 1 = %v, %v", page, err)
	}
	page, err = ivan.ListUsers(ctx, &ladderv1.ListUsersRequest{PageSize: 1, PageToken: page.GetNextPageToken()})
	if err != nil || len(page.GetUsers()) != 1 || page.GetUsers()[0].GetName() != "users/ivan" || page.GetNextPageToken() != "" {
		t.Errorf("ListUsers page 2 = %v, %v", page, err)
	}
}
