package main

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
)

var (
	adminFrameworkRow = regexp.MustCompile(`<th scope="row"><a href="/admin/frameworks/([^"]+)">`)
	adminNextPage     = regexp.MustCompile(`<a href="([^"]+)" rel="next">Next page of frameworks</a>`)
)

// The admin index costs a few calls whatever the number of frameworks:
// with 500 more than the demo's, `dev` with its default rate limit (20
// calls a second per caller, bursts of 40) serves every page of it at
// once, 50 frameworks a page, each saying by name who last changed it.
// (Reading one history per framework, it answered 429 from 46 on.)
func TestAdminIndexOfManyFrameworksWithinTheRateLimit(t *testing.T) {
	const extra = 500
	dir, httpAddr := t.TempDir(), freeAddr(t)
	prefix := testenv.DatabasePrefix(t)
	start(t, "dev", "--data-dir", dir, "--http-addr", httpAddr, "--grpc-addr", freeAddr(t),
		"--mongo-uri", mongotest.URI(t), "--database-prefix", prefix)
	waitReady(t, httpAddr)
	fillFrameworks(t, mongotest.Client(t).Database(prefix+"ladder"), extra)

	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar}
	base := "http://" + httpAddr
	resp, err := c.PostForm(base+"/signin", url.Values{"subject": {"users/adam"}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Body.Close(); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("sign in as users/adam = %d, %v", resp.StatusCode, err)
	}

	seen, shown := map[string]bool{}, map[string]int{}
	pages := 0
	began := time.Now()
	for path := "/admin"; path != ""; pages++ {
		if pages > extra/50+2 {
			t.Fatalf("more than %d pages of frameworks", pages)
		}
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		if err := resp.Body.Close(); err != nil {
			t.Fatal(err)
		}
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d, %v\n%.1000s", path, resp.StatusCode, err, body)
		}
		page := string(body)
		rows := adminFrameworkRow.FindAllStringSubmatch(page, -1)
		if len(rows) == 0 || len(rows) > 50 {
			t.Fatalf("GET %s shows %d frameworks, want 1 to 50", path, len(rows))
		}
		for _, r := range rows {
			seen[r[1]] = true
		}
		// Names, never IDs: the stamped drafts' and the older ones' (whose
		// last change is read from their change record) alike.
		for _, said := range []string{"update by Ivan Petrov", "create by Ines Duarte"} {
			shown[said] += strings.Count(page, said)
		}
		if strings.Contains(page, "users/ivan") || strings.Contains(page, "users/ines") {
			t.Errorf("GET %s shows a user's resource name", path)
		}
		path = ""
		if m := adminNextPage.FindStringSubmatch(page); m != nil {
			path = html.UnescapeString(m[1])
		}
	}
	if len(seen) != extra+1 || !seen["engineering"] || !seen[fmt.Sprintf("fill-%04d", extra-1)] {
		t.Errorf("the admin index listed %d frameworks over %d pages, want the demo's and %d more", len(seen), pages, extra)
	}
	if shown["update by Ivan Petrov"] != extra-extra/10 || shown["create by Ines Duarte"] != extra/10 {
		t.Errorf("last changes shown by name: %v, want %d by Ivan Petrov and %d by Ines Duarte", shown, extra-extra/10, extra/10)
	}
	t.Logf("%d pages of the admin index listed %d frameworks in %v", pages, len(seen), time.Since(began).Round(time.Millisecond))
}

// fillFrameworks adds n framework drafts as the ladder's store writes
// them, with the raw driver: most carry their last change, every tenth is
// as written before drafts kept it, with only its change record to say.
func fillFrameworks(t *testing.T, db *mongo.Database, n int) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	var docs, changes []any
	for i := range n {
		name := fmt.Sprintf("frameworks/fill-%04d", i)
		data := bson.D{
			{Key: "content", Value: bson.D{
				{Key: "title", Value: fmt.Sprintf("Filler %d", i)},
				{Key: "competencies", Value: bson.A{}}, {Key: "tracks", Value: bson.A{}},
			}},
			{Key: "unpublished", Value: true}, {Key: "revisions", Value: 0},
		}
		if i%10 != 0 {
			data = append(data, bson.E{Key: "last_actor", Value: "users/ivan"}, bson.E{Key: "last_kind", Value: "update"},
				bson.E{Key: "last_fields", Value: bson.A{"title"}})
		}
		doc := bson.D{
			{Key: "_id", Value: name}, {Key: "version", Value: 1}, {Key: "deleted", Value: false},
			{Key: "create_time", Value: now}, {Key: "update_time", Value: now}, {Key: "data", Value: data},
		}
		docs = append(docs, doc)
		actor, kind := "users/ivan", "update"
		if i%10 == 0 {
			actor, kind = "users/ines", "create"
		}
		changes = append(changes, bson.D{
			{Key: "_id", Value: name + "#1"}, {Key: "resource", Value: name}, {Key: "version", Value: 1},
			{Key: "kind", Value: kind}, {Key: "actor", Value: actor}, {Key: "time", Value: now}, {Key: "after", Value: doc},
		})
	}
	if _, err := db.Collection("frameworks").InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collection("framework_changes").InsertMany(ctx, changes); err != nil {
		t.Fatal(err)
	}
}
