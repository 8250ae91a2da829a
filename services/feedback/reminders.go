package feedback

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"google.golang.org/grpc"

	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/mailer"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// Reminders about overdue scorecards: every few minutes, in every replica,
// the job finds the interviews whose scorecard is not submitted a while
// after their scheduled time (reminder_scan.go), counts them for the
// yardstick_scorecards_overdue gauge (metrics.go), and, when it
// has a way to send email, groups them into one
// digest per person (reminder_digest.go) and mails each digest
// (reminder_mail.go) to the address the people directory of the ladder
// service has.
//
// One digest per person per day, across replicas and restarts: before
// sending, the job inserts a claim keyed {user}@{YYYY-MM-DD} (UTC); the
// insert of a fixed _id is atomic on MongoDB and the embedded store alike,
// so of two replicas one sends and the other gets a duplicate key. A send
// that fails takes its claim out again, and a later round retries. A crash
// between the claim and the send loses that person's digest for the day:
// at most once beats twice.

// Reminders configures the job. Without Mail it only counts.
type Reminders struct {
	// Mail sends one message; nil sends none.
	Mail Mailer
	// People is the ladder service's directory, for names and addresses.
	People Directory
	// Token returns the job's own bearer token for People: the job has no
	// caller whose token it could pass on.
	Token func(ctx context.Context) (string, error)
	// PublicURL is the web app's base URL, for the links in the emails.
	PublicURL string
	// After is how long after its interview a scorecard is overdue; 24 h
	// when 0.
	After time.Duration
	// Every is how often the job looks; 15 minutes when 0. The first round
	// runs one interval after the start.
	Every time.Duration
	// Window is how far back candidates are looked at, by when they were
	// listed; 60 days when 0.
	Window time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Metrics, when set, receive each round's figures.
	Metrics *Metrics
	// RunNow, when set, runs a round for each channel it receives, besides
	// the timer's, and sends the round's report on that channel: for tests.
	RunNow <-chan chan<- ReminderReport
}

// Mailer sends one email.
type Mailer interface {
	Send(ctx context.Context, m mailer.Message) error
}

// Directory is what the job needs of the people directory: a
// ladderv1.LadderServiceClient is one.
type Directory interface {
	BatchGetUsers(ctx context.Context, in *ladderv1.BatchGetUsersRequest, opts ...grpc.CallOption) (*ladderv1.BatchGetUsersResponse, error)
}

// ReminderReport counts what one round found and did with the digests it
// built.
type ReminderReport struct {
	Overdue     int // interviews whose scorecard is overdue
	Sent        int // accepted by the SMTP server
	AlreadySent int // claimed today, here or by another replica
	OptedOut    int // the person turned the emails off
	NoEmail     int // the directory has no address for the person
	Deactivated int // the person left: the directory says deactivated
	Failed      int // the send failed: a later round retries
	Err         error
}

// Defaults of Reminders.
const (
	DefaultReminderAfter  = 24 * time.Hour
	DefaultReminderEvery  = 15 * time.Minute
	DefaultReminderWindow = 60 * 24 * time.Hour
	// claimsKept is how long claims are kept: days long past need none.
	claimsKept = 7 * 24 * time.Hour
	// maxBatchOfUsers is what ladderv1.BatchGetUsers takes in one call.
	maxBatchOfUsers = 200
)

var reminderClaimIndexes = []mongo.IndexModel{{Keys: bson.D{{Key: "time", Value: 1}}}} // the prune's filter

// reminderClaim marks a person's digest of a day as sent.
type reminderClaim struct {
	ID   string    `bson:"_id"` // {user}@{YYYY-MM-DD}
	Time time.Time `bson:"time"`
}

func (r Reminders) withDefaults() Reminders {
	if r.After <= 0 {
		r.After = DefaultReminderAfter
	}
	if r.Every <= 0 {
		r.Every = DefaultReminderEvery
	}
	if r.Window <= 0 {
		r.Window = DefaultReminderWindow
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	return r
}

// WatchOverdue runs the job until ctx ends: it counts the overdue
// scorecards every round, and sends reminders when r has Mail. Run it
// beside the server, in every replica.
func (s *Store) WatchOverdue(ctx context.Context, r Reminders, log *slog.Logger) {
	r = r.withDefaults()
	if r.Mail != nil {
		log.InfoContext(ctx, "overdue scorecard reminders are on", "after", r.After, "every", r.Every, "window", r.Window, "links", r.PublicURL)
	} else {
		log.InfoContext(ctx, "overdue scorecards are counted, and no reminders are sent: there is no SMTP server (--smtp-addr)", "after", r.After, "every", r.Every)
	}
	t := time.NewTicker(r.Every)
	defer t.Stop()
	pruned := ""
	for {
		var reply chan<- ReminderReport
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case reply = <-r.RunNow:
		}
		rep := s.remindOnce(ctx, r, log)
		r.Metrics.reminderRound(rep)
		if rep.Err != nil && ctx.Err() == nil {
			log.WarnContext(ctx, "overdue scorecards: the round failed; the next one retries", "error", rep.Err)
		}
		if day := r.Now().UTC().Format(time.DateOnly); r.Mail != nil && day != pruned && rep.Err == nil {
			if err := s.pruneClaims(ctx, r.Now().Add(-claimsKept)); err == nil {
				pruned = day
			}
		}
		if reply != nil {
			reply <- rep
		}
	}
}

// remindOnce runs one round.
func (s *Store) remindOnce(ctx context.Context, r Reminders, log *slog.Logger) (rep ReminderReport) {
	now := r.Now().UTC()
	day := now.Format(time.DateOnly)
	panels, err := s.latePanels(ctx, now, now.Add(-r.Window), r.After)
	if err != nil {
		rep.Err = err
		return rep
	}
	for _, p := range panels {
		rep.Overdue += len(p.Late)
	}
	if r.Mail == nil {
		return rep
	}
	// Who had today's digest, or wants none, is settled by a read by _id
	// each, before anyone is looked up in the directory.
	var todo []*digest
	for _, d := range collectDigests(panels) {
		claimed, err := s.claimedDigest(ctx, d.User, day)
		if err != nil {
			rep.Err = err
			return rep
		}
		wants, err := s.remindsByEmail(ctx, d.User)
		if err != nil {
			rep.Err = err
			return rep
		}
		switch {
		case claimed:
			rep.AlreadySent++
		case !wants:
			rep.OptedOut++
		default:
			todo = append(todo, d)
		}
	}
	if len(todo) == 0 {
		return rep
	}
	contacts, err := r.lookUp(ctx, peopleToName(todo))
	if err != nil {
		rep.Err = err
		return rep
	}
	names := make(map[string]string, len(contacts))
	for user, c := range contacts {
		names[user] = c.DisplayName
	}
	for _, d := range todo {
		to := contacts[d.User]
		if to.Deactivated {
			rep.Deactivated++
			continue
		}
		if to.Email == "" {
			rep.NoEmail++
			continue
		}
		msg, err := renderDigest(d, to, names, r.PublicURL, r.After)
		if err != nil {
			rep.Err = err
			return rep
		}
		claimed, err := s.claimDigest(ctx, d.User, day, now)
		if err != nil {
			rep.Err = err
			return rep
		}
		if !claimed { // another replica, since the check above
			rep.AlreadySent++
			continue
		}
		if err := r.Mail.Send(ctx, msg); err != nil {
			rep.Failed++
			log.WarnContext(ctx, "overdue scorecard reminder not sent; a later round retries", "user", d.User, "error", err)
			if err := s.unclaimDigest(context.WithoutCancel(ctx), d.User, day); err != nil {
				log.ErrorContext(ctx, "overdue scorecard reminder: the claim stays, so no retry today", "user", d.User, "error", err)
			}
			continue
		}
		rep.Sent++
	}
	if rep.NoEmail > 0 {
		log.InfoContext(ctx, "overdue scorecard reminders skipped: no email address in the people directory", "people", rep.NoEmail)
	}
	if rep.Sent > 0 {
		log.InfoContext(ctx, "overdue scorecard reminders sent", "digests", rep.Sent)
	}
	return rep
}

// lookUp reads people from the directory, a batch at a time, with the
// job's own token.
func (r Reminders) lookUp(ctx context.Context, users []string) (map[string]contact, error) {
	token, err := r.Token(ctx)
	if err != nil {
		return nil, fmt.Errorf("the reminder job's token: %w", err)
	}
	out := make(map[string]contact, len(users))
	for start := 0; start < len(users); start += maxBatchOfUsers {
		batch := users[start:min(start+maxBatchOfUsers, len(users))]
		resp, err := r.People.BatchGetUsers(ctx, &ladderv1.BatchGetUsersRequest{Names: batch}, grpc.PerRPCCredentials(auth.Bearer(token)))
		if err != nil {
			return nil, fmt.Errorf("read the people directory: %w", err)
		}
		for _, u := range resp.GetUsers() {
			out[u.GetName()] = contact{DisplayName: u.GetDisplayName(), Email: u.GetEmail(), Deactivated: u.GetDeactivated()}
		}
	}
	return out, nil
}

func claimID(user, day string) string { return user + "@" + day }

// claimedDigest reports whether a person's digest of the day is claimed.
func (s *Store) claimedDigest(ctx context.Context, user, day string) (bool, error) {
	err := s.reminderClaims.FindOne(ctx, bson.D{{Key: "_id", Value: claimID(user, day)}}).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	return err == nil, err
}

// claimDigest claims a person's digest of the day: false when it was
// claimed already.
func (s *Store) claimDigest(ctx context.Context, user, day string, now time.Time) (bool, error) {
	_, err := s.reminderClaims.InsertOne(ctx, reminderClaim{ID: claimID(user, day), Time: now})
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	return err == nil, err
}

// unclaimDigest takes a claim out, so that a later round sends again.
func (s *Store) unclaimDigest(ctx context.Context, user, day string) error {
	_, err := s.reminderClaims.DeleteOne(ctx, bson.D{{Key: "_id", Value: claimID(user, day)}})
	return err
}

// pruneClaims drops the claims of days long past. On the embedded store
// the filter scans the claims, a week of recipients: once a day.
func (s *Store) pruneClaims(ctx context.Context, before time.Time) error {
	_, err := s.reminderClaims.DeleteMany(ctx, bson.D{{Key: "time", Value: bson.D{{Key: "$lt", Value: before}}}})
	return err
}
