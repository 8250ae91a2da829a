package rubric_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
	"github.com/yardstick-dev/yardstick/services/ladder"
)

// The rubric service's two reads of note, each against the ladder read it
// depends on, alternated in one run: a published rubric revision (what an
// interviewer's scorecard loads) against a published framework revision,
// and a derive (which reads the framework revision over gRPC, then writes a
// draft) against that same framework read.
//
//	go test -run '^$' -bench 'VsLadder' -benchtime 300x ./services/rubric/

func BenchmarkRevisionGetVsLadderGet(b *testing.B) {
	ctx := context.Background()
	rubrics, frameworks := sampleSuite(b)
	r, err := rubrics.DeriveRubric(ctx, &rubricv1.DeriveRubricRequest{RubricId: "bench", Framework: "frameworks/engineering", Track: "ic", Level: "l3", InterviewType: "system-design"})
	if err != nil {
		b.Fatal(err)
	}
	rev, err := rubrics.PublishRubric(ctx, &rubricv1.PublishRubricRequest{Name: r.GetName()})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	alternate(b, func() error {
		_, err := rubrics.GetRubricRevision(ctx, &rubricv1.GetRubricRevisionRequest{Name: rev.GetName()})
		return err
	}, func() error {
		_, err := frameworks.GetFrameworkRevision(ctx, &ladderv1.GetFrameworkRevisionRequest{Name: "frameworks/engineering/revisions/1"})
		return err
	})
}

func BenchmarkDeriveVsLadderGet(b *testing.B) {
	ctx := context.Background()
	rubrics, frameworks := sampleSuite(b)
	i := 0
	b.ResetTimer()
	alternate(b, func() error {
		i++
		_, err := rubrics.DeriveRubric(ctx, &rubricv1.DeriveRubricRequest{RubricId: fmt.Sprintf("bench-%d", i), Framework: "frameworks/engineering", Track: "ic", Level: "l3", InterviewType: "system-design"})
		return err
	}, func() error {
		_, err := frameworks.GetFrameworkRevision(ctx, &ladderv1.GetFrameworkRevisionRequest{Name: "frameworks/engineering/revisions/1"})
		return err
	})
}

// sampleSuite starts the services with the sample framework published.
func sampleSuite(b *testing.B) (rubricv1.RubricServiceClient, ladderv1.LadderServiceClient) {
	b.Helper()
	ctx := context.Background()
	e := testenv.Start(b, testenv.Options{})
	frameworks := e.LadderAs(testenv.AdminSubject, principal.Admin)
	f, err := frameworks.ImportFramework(ctx, &ladderv1.ImportFrameworkRequest{FrameworkId: ladder.SampleFrameworkID, Content: ladder.SampleFramework})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := frameworks.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: f.GetName()}); err != nil {
		b.Fatal(err)
	}
	return e.RubricAs(testenv.AdminSubject, principal.Admin), frameworks
}

// alternate runs the rubric operation and the ladder's in turns and reports
// both and their ratio.
func alternate(b *testing.B, rubric, ladder func() error) {
	var tr, tl time.Duration
	for range b.N {
		t0 := time.Now()
		if err := rubric(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := ladder(); err != nil {
			b.Fatal(err)
		}
		tr += t1.Sub(t0)
		tl += time.Since(t1)
	}
	b.ReportMetric(float64(tr.Microseconds())/float64(b.N), "rubric-µs/op")
	b.ReportMetric(float64(tl.Microseconds())/float64(b.N), "ladder-µs/op")
	b.ReportMetric(float64(tr)/float64(tl), "rubric/ladder")
}
