package web

import (
	"context"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// Pages name competencies and rubrics by their titles. The services refer
// to them by ID and resource name (references stay stable when a title is
// reworded); these helpers turn the references into words.

// competencyTitles maps competency IDs to titles, from every published
// framework, kept for a minute like people.
type competencyTitles struct {
	ladder ladderv1.LadderServiceClient
	mu     sync.Mutex
	titles map[string]string
	at     time.Time
	once   singleflight.Group
}

// of returns the titles, refreshing them when older than a minute. A
// framework list that cannot be read leaves the last titles (or none):
// pages then fall back to readable IDs.
func (c *competencyTitles) of(ctx context.Context) map[string]string {
	c.mu.Lock()
	titles, fresh := c.titles, time.Since(c.at) < time.Minute
	c.mu.Unlock()
	if fresh {
		return titles
	}
	v, _, _ := c.once.Do("titles", func() (any, error) {
		next := map[string]string{}
		token := ""
		for range 20 { // 20 pages of 100 frameworks: more than any company has
			resp, err := c.ladder.ListFrameworks(ctx, &ladderv1.ListFrameworksRequest{PageSize: 100, PageToken: token})
			if err != nil {
				return titles, nil
			}
			for _, f := range resp.GetFrameworks() {
				for _, comp := range f.GetCompetencies() {
					next[comp.GetId()] = comp.GetTitle()
				}
			}
			if token = resp.GetNextPageToken(); token == "" {
				break
			}
		}
		c.mu.Lock()
		c.titles, c.at = next, time.Now()
		c.mu.Unlock()
		return next, nil
	})
	return v.(map[string]string)
}

// titles are the words a page uses for references.
type titles struct {
	people       names
	competencies map[string]string
	rubrics      map[string]string // rubric or revision name → title
}

// competency is a competency's title, or its ID made readable.
func (t titles) competency(id string) string {
	if s := t.competencies[id]; s != "" {
		return s
	}
	return readableID(id)
}

// competencyList is competency titles joined for a sentence.
func (t titles) competencyList(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = t.competency(id)
	}
	return strings.Join(out, ", ")
}

// rubric is a rubric's title, or its ID made readable.
func (t titles) rubric(name string) string {
	if s := t.rubrics[name]; s != "" {
		return s
	}
	parts := strings.Split(name, "/")
	if len(parts) >= 2 {
		return readableID(parts[1])
	}
	return name
}

// readableID turns "technical-skill" into "Technical skill": for a
// reference whose title could not be read.
func readableID(id string) string {
	if id == "" {
		return id
	}
	s := strings.ReplaceAll(id, "-", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// titlesFor reads what a page needs to name its references: the people,
// the rubric revisions (whose competencies' titles win over the
// frameworks': a rubric may retitle), in a few calls.
func (a *App) titlesFor(ctx context.Context, users []string, rubricRevisions []string) titles {
	t := titles{people: a.people.lookup(ctx, users...), competencies: map[string]string{}, rubrics: map[string]string{}}
	for id, title := range a.competencyTitles.of(ctx) {
		t.competencies[id] = title
	}
	for _, name := range rubricRevisions {
		if _, done := t.rubrics[name]; done || name == "" {
			continue
		}
		rev, err := a.rubricRevision(ctx, name)
		if err != nil {
			t.rubrics[name] = ""
			continue
		}
		snap := rev.GetSnapshot()
		t.rubrics[name] = snap.GetTitle()
		for _, c := range snap.GetCompetencies() {
			if c.GetTitle() != "" {
				t.competencies[c.GetId()] = c.GetTitle()
			}
		}
	}
	return t
}
