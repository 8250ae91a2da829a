package feedback

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"google.golang.org/grpc/metadata"

	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// Publications of the other services, announced as webhook events
// (framework.published, rubric.published). The webhooks live here, with
// the feedback service's outbox; the ladder and rubric services publish.
// So the feedback service reads what is published, as any employee may,
// every Every, and announces each revision it has not seen: revisions are
// immutable and numbered, so "not seen" is a number per framework or
// rubric (publication_marks), and an event is keyed by its revision, so
// two replicas announce it once.
//
// The first round for a kind (or one after a pause longer than
// rebaselineAfter: no webhook wanted the kind meanwhile) only takes note
// of what is published: a webhook added today does not get years of
// publications.

// eventFrameworkPublished and eventRubricPublished are the publication
// events.
const (
	eventFrameworkPublished = "framework.published"
	eventRubricPublished    = "rubric.published"
)

// rebaselineAfter is how old the last round may be before the next one
// takes note again instead of announcing.
const rebaselineAfter = 10 * time.Minute

// Publications is what the watch needs: the two services' clients and a
// token of the feedback service's own (it has no caller).
type Publications struct {
	Ladder  ladderv1.LadderServiceClient
	Rubrics rubricv1.RubricServiceClient
	Token   func(context.Context) (string, error)
	Every   time.Duration
}

// published is one framework's or rubric's newest revision.
type published struct {
	kind, name, revision string // kind: "framework" or "rubric"
	n                    int64
	data                 map[string]any
}

// mark is the newest revision of a framework or rubric announced (or
// noted), or, keyed "round/{event type}", when the last round ran.
type mark struct {
	ID       string    `bson:"_id"`
	Revision int64     `bson:"revision"`
	Time     time.Time `bson:"time"`
}

// WatchPublications announces publications until ctx ends.
func (s *Store) WatchPublications(ctx context.Context, p Publications, log *slog.Logger) {
	t := time.NewTicker(p.Every)
	defer t.Stop()
	for {
		if err := s.publicationRound(ctx, p); err != nil && ctx.Err() == nil {
			log.WarnContext(ctx, "announcing publications; will retry", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// publicationRound reads what is published, for the kinds a webhook wants.
func (s *Store) publicationRound(ctx context.Context, p Publications) error {
	for _, kind := range []struct {
		event string
		list  func(context.Context) ([]published, error)
	}{
		{eventFrameworkPublished, func(ctx context.Context) ([]published, error) { return publishedFrameworks(ctx, p.Ladder) }},
		{eventRubricPublished, func(ctx context.Context) ([]published, error) { return publishedRubrics(ctx, p.Rubrics) }},
	} {
		want, err := s.hooks.Wanted(ctx, kind.event)
		if err != nil || !want {
			if err != nil {
				return err
			}
			continue
		}
		token, err := p.Token(ctx)
		if err != nil {
			return fmt.Errorf("a token to read publications: %w", err)
		}
		items, err := kind.list(metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token))
		if err != nil {
			return err
		}
		if err := s.announce(ctx, kind.event, items); err != nil {
			return err
		}
	}
	return nil
}

// announce emits an event for every revision newer than its mark, then
// moves the mark; the first round only sets the marks.
func (s *Store) announce(ctx context.Context, event string, items []published) error {
	round := "round/" + event
	var last mark
	err := s.marks.FindOne(ctx, bson.D{{Key: "_id", Value: round}}).Decode(&last)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return fmt.Errorf("read the last round: %w", err)
	}
	noting := err != nil || time.Since(last.Time) > rebaselineAfter
	for _, it := range items {
		var seen mark
		err := s.marks.FindOne(ctx, bson.D{{Key: "_id", Value: it.name}}).Decode(&seen)
		if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
			return fmt.Errorf("read a publication mark: %w", err)
		}
		if seen.Revision >= it.n {
			continue
		}
		if !noting {
			// Every revision since the mark (two publications within one
			// round are two events); the newest carries the details.
			for n := seen.Revision + 1; n <= it.n; n++ {
				rev := it.name + "/revisions/" + strconv.FormatInt(n, 10)
				data := map[string]any{"revision": rev, it.kind: it.name}
				if n == it.n {
					data = it.data
				}
				if err := s.emit(ctx, event, rev, "", time.Now().UTC().Truncate(time.Millisecond), data, false); err != nil {
					return err
				}
			}
		}
		if err := s.setMark(ctx, it.name, it.n); err != nil {
			return err
		}
	}
	return s.setMark(ctx, round, 0)
}

func (s *Store) setMark(ctx context.Context, id string, revision int64) error {
	m := mark{ID: id, Revision: revision, Time: time.Now().UTC().Truncate(time.Millisecond)}
	if _, err := s.marks.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, m, options.Replace().SetUpsert(true)); err != nil {
		return fmt.Errorf("mark a publication: %w", err)
	}
	return nil
}

// revisionNumber reads the number of "…/revisions/{n}".
func revisionNumber(rev string) (int64, bool) {
	_, n, ok := strings.Cut(rev, "/revisions/")
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(n, 10, 64)
	return v, err == nil && v > 0
}

func publishedFrameworks(ctx context.Context, c ladderv1.LadderServiceClient) ([]published, error) {
	var out []published
	token := ""
	for {
		resp, err := c.ListFrameworks(ctx, &ladderv1.ListFrameworksRequest{PageSize: 1000, PageToken: token})
		if err != nil {
			return nil, fmt.Errorf("list frameworks: %w", err)
		}
		for _, f := range resp.GetFrameworks() {
			if n, ok := revisionNumber(f.GetLatestRevision()); ok {
				out = append(out, published{kind: "framework", name: f.GetName(), revision: f.GetLatestRevision(), n: n, data: map[string]any{
					"framework": f.GetName(), "revision": f.GetLatestRevision(), "title": f.GetTitle(),
					"publish_time": f.GetPublishTime().AsTime(),
				}})
			}
		}
		if token = resp.GetNextPageToken(); token == "" {
			return out, nil
		}
	}
}

func publishedRubrics(ctx context.Context, c rubricv1.RubricServiceClient) ([]published, error) {
	var out []published
	token := ""
	for {
		resp, err := c.ListRubrics(ctx, &rubricv1.ListRubricsRequest{PageSize: 1000, PageToken: token})
		if err != nil {
			return nil, fmt.Errorf("list rubrics: %w", err)
		}
		for _, r := range resp.GetRubrics() {
			if n, ok := revisionNumber(r.GetLatestRevision()); ok {
				out = append(out, published{kind: "rubric", name: r.GetName(), revision: r.GetLatestRevision(), n: n, data: map[string]any{
					"rubric": r.GetName(), "revision": r.GetLatestRevision(), "title": r.GetTitle(), "role": r.GetRole(),
					"level": r.GetLevel(), "interview_type": r.GetInterviewType(), "publish_time": r.GetPublishTime().AsTime(),
				}})
			}
		}
		if token = resp.GetNextPageToken(); token == "" {
			return out, nil
		}
	}
}
