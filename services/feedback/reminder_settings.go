package feedback

import (
	"context"
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/fieldcheck"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// A person's reminder settings: the singleton users/{user}/reminderSettings
// (AIP-156). Everyone has one: a person who never changed theirs has no
// document, and reads the defaults. Keyed by name, so the reminder job reads
// a recipient's with one lookup by _id.

// reminderSettings is the settings' document. Fields hold the opposite of
// the defaults, so that the zero value is the defaults.
type reminderSettings struct {
	EmailRemindersOff bool `bson:"email_reminders_off,omitempty"`
}

const reminderSettingsSuffix = "/reminderSettings"

// reminderSettingsName is a person's settings' name.
func reminderSettingsName(user string) string { return user + reminderSettingsSuffix }

var reminderSettingsMask = fieldcheck.UpdateMask{
	Updatable: []string{"email_reminders"},
	Ignored:   map[string]bool{"name": true, "etag": true, "update_time": true},
}

// GetReminderSettings returns a person's reminder settings.
func (s *Server) GetReminderSettings(ctx context.Context, req *feedbackv1.GetReminderSettingsRequest) (*feedbackv1.ReminderSettings, error) {
	name, err := ownReminderSettings(ctx, req.GetName(), "name")
	if err != nil {
		return nil, err
	}
	doc, err := s.store.reminderSettings.Find(ctx, name) // nil: never changed
	if err != nil {
		return nil, err
	}
	return reminderSettingsToProto(name, doc), nil
}

// UpdateReminderSettings changes the fields of a person's reminder
// settings that the mask names.
func (s *Server) UpdateReminderSettings(ctx context.Context, req *feedbackv1.UpdateReminderSettingsRequest) (*feedbackv1.ReminderSettings, error) {
	in := req.GetReminderSettings()
	name, err := ownReminderSettings(ctx, in.GetName(), "reminder_settings.name")
	if err != nil {
		return nil, err
	}
	paths, err := reminderSettingsMask.Paths(req.GetUpdateMask().GetPaths(), func(field string) bool {
		return field == "email_reminders" && in.EmailReminders != nil
	})
	if err != nil {
		return nil, err
	}
	want := versioned.Expect{ETag: in.GetEtag()}
	doc, err := s.store.reminderSettings.Apply(ctx, name, principal.User(ctx), want, func(cur *versioned.Doc[reminderSettings]) (versioned.Edit[reminderSettings], error) {
		var next reminderSettings
		if cur.Live() {
			next = cur.Data
		}
		if slices.Contains(paths, "email_reminders") {
			// A masked field left out of the body takes its default: on.
			next.EmailRemindersOff = in.EmailReminders != nil && !in.GetEmailReminders()
		}
		return versioned.Edit[reminderSettings]{Kind: kindUpdate, Fields: paths, Data: next}, nil
	})
	if err != nil {
		return nil, err
	}
	return reminderSettingsToProto(name, doc), nil
}

// ownReminderSettings checks a settings name from a request (field names
// it in errors) and returns it with `users/me` resolved: each person's are
// their own to read and change, and admins' to help with.
func ownReminderSettings(ctx context.Context, name, field string) (string, error) {
	user, ok := strings.CutSuffix(name, reminderSettingsSuffix)
	if !ok || !fieldcheck.UserNamePattern.MatchString(user) {
		return "", apierr.Invalid(field, "must name a person's reminder settings: users/{user}/reminderSettings")
	}
	caller := principal.User(ctx)
	if user == "users/me" {
		user = caller
	}
	if user != caller && !principal.Has(ctx, principal.Admin) {
		return "", apierr.New(apierr.ErrPermissionDenied, "a person's reminder settings are theirs to read and change")
	}
	return reminderSettingsName(user), nil
}

// reminderSettingsToProto maps a person's settings (nil: the defaults).
func reminderSettingsToProto(name string, doc *versioned.Doc[reminderSettings]) *feedbackv1.ReminderSettings {
	out := &feedbackv1.ReminderSettings{Name: name, EmailReminders: proto.Bool(true)}
	if doc.Live() {
		out.EmailReminders = proto.Bool(!doc.Data.EmailRemindersOff)
		out.UpdateTime = timestamppb.New(doc.UpdateTime)
		out.Etag = doc.ETag()
	}
	return out
}

// remindsByEmail reports whether a person wants the reminder emails.
func (s *Store) remindsByEmail(ctx context.Context, user string) (bool, error) {
	doc, err := s.reminderSettings.Stored(ctx, reminderSettingsName(user))
	if err != nil {
		return false, err
	}
	return !doc.Live() || !doc.Data.EmailRemindersOff, nil
}
