package feedback_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

func TestReminderSettings(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	ines := e.as("users/ines")
	got, err := ines.GetReminderSettings(ctx, &feedbackv1.GetReminderSettingsRequest{Name: "users/me/reminderSettings"})
	if err != nil {
		t.Fatal(err)
	}
	want := &feedbackv1.ReminderSettings{Name: "users/ines/reminderSettings", EmailReminders: proto.Bool(true)}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("GetReminderSettings before any change (-want +got):\n%s", diff)
	}
	off, err := ines.UpdateReminderSettings(ctx, &feedbackv1.UpdateReminderSettingsRequest{
		ReminderSettings: &feedbackv1.ReminderSettings{Name: "users/ines/reminderSettings", EmailReminders: proto.Bool(false)}})
	if err != nil || off.GetEmailReminders() || off.GetEtag() == "" {
		t.Fatalf("UpdateReminderSettings(off) = %v, %v; want email_reminders false with an etag", off, err)
	}
	// The mask names the field; left out of the body, it takes its default.
	_, err = ines.UpdateReminderSettings(ctx, &feedbackv1.UpdateReminderSettingsRequest{
		ReminderSettings: &feedbackv1.ReminderSettings{Name: "users/ines/reminderSettings", Etag: "9"},
		UpdateMask:       &fieldmaskpb.FieldMask{Paths: []string{"email_reminders"}}})
	wantCode(t, err, codes.Aborted, "")
	on, err := ines.UpdateReminderSettings(ctx, &feedbackv1.UpdateReminderSettingsRequest{
		ReminderSettings: &feedbackv1.ReminderSettings{Name: "users/ines/reminderSettings", Etag: off.GetEtag()},
		UpdateMask:       &fieldmaskpb.FieldMask{Paths: []string{"email_reminders"}}})
	if err != nil || !on.GetEmailReminders() {
		t.Fatalf("UpdateReminderSettings(mask, no value) = %v, %v; want email_reminders back on", on, err)
	}
	_, err = ines.UpdateReminderSettings(ctx, &feedbackv1.UpdateReminderSettingsRequest{
		ReminderSettings: &feedbackv1.ReminderSettings{Name: "users/ines"}})
	wantCode(t, err, codes.InvalidArgument, "reminder_settings.name")
	_, err = ines.UpdateReminderSettings(ctx, &feedbackv1.UpdateReminderSettingsRequest{
		ReminderSettings: &feedbackv1.ReminderSettings{Name: "users/ines/reminderSettings"}})
	wantCode(t, err, codes.InvalidArgument, "update_mask")
}
