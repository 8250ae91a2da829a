package feedback

import (
	"bufio"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

func TestEvidenceCheckCases(t *testing.T) {
	scale := ratingScale{min: 1, max: 4, known: true}
	for _, tt := range []struct {
		name, text string
		score      int32
		scored     bool
		want       []feedbackv1.EvidenceWarning_Kind
		words      []string
	}{
		{"nothing yet", "", 0, false, nil, nil},
		{"a score without evidence", "", 3, true, []feedbackv1.EvidenceWarning_Kind{feedbackv1.EvidenceWarning_KIND_TOO_SHORT}, nil},
		{"notes before a score", "Asked about the read ratio first", 0, false, nil, nil},
		{"an end of the scale needs more", "Designed the sharding by tenant and estimated the peak write rate from the numbers she asked for.", 4, true,
			[]feedbackv1.EvidenceWarning_Kind{feedbackv1.EvidenceWarning_KIND_TOO_SHORT}, nil},
		{"the middle needs less", "Designed the sharding by tenant and estimated the peak write rate from the numbers she asked for.", 3, true, nil, nil},
		{"opinions only", "Great communicator, very smart and clearly passionate about systems; a strong addition overall to any team.", 3, true,
			[]feedbackv1.EvidenceWarning_Kind{feedbackv1.EvidenceWarning_KIND_NO_BEHAVIOUR}, []string{"great", "smart", "passionate", "strong"}},
		{"a phrase, as whole words", "Explained the cache and asked about the load, but not a culture fit for the team in my view at all.", 3, true,
			[]feedbackv1.EvidenceWarning_Kind{feedbackv1.EvidenceWarning_KIND_NOT_JOB_RELATED}, []string{"culture fit"}},
		{"not inside other words", "Explained the package manager and the storage engine, with page sizes and the image format.", 3, true, nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := checkEvidence(tt.text, tt.score, tt.scored, scale, DefaultNotJobRelated)
			var kinds []feedbackv1.EvidenceWarning_Kind
			var words []string
			for _, w := range got {
				kinds = append(kinds, w.Kind)
				words = append(words, w.Words...)
				if w.Message == "" {
					t.Errorf("%v has no message", w.Kind)
				}
			}
			if !slices.Equal(kinds, tt.want) || (tt.words != nil && !slices.Equal(words, tt.words)) {
				t.Errorf("checkEvidence(%q, %d) = %v %v, want %v %v", tt.text, tt.score, kinds, words, tt.want, tt.words)
			}
		})
	}
}

// TestEvidenceChecksMeasured measures each check's precision and recall on
// the examples in testdata: those the word lists were tuned on, and those
// written afterwards and held out (docs/evidence-checks.md keeps the
// figures: `go test ./services/feedback -run EvidenceChecksMeasured -v`).
func TestEvidenceChecksMeasured(t *testing.T) {
	for _, set := range []string{"evidence_examples.txt", "evidence_heldout.txt"} {
		t.Run(strings.TrimSuffix(set, ".txt"), func(t *testing.T) { measureEvidenceChecks(t, "testdata/"+set) })
	}
}

func measureEvidenceChecks(t *testing.T, path string) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kinds := map[string]feedbackv1.EvidenceWarning_Kind{
		"short": feedbackv1.EvidenceWarning_KIND_TOO_SHORT, "behaviour": feedbackv1.EvidenceWarning_KIND_NO_BEHAVIOUR,
		"notjob": feedbackv1.EvidenceWarning_KIND_NOT_JOB_RELATED,
	}
	type counts struct{ tp, fp, fn int }
	got := map[string]*counts{"short": {}, "behaviour": {}, "notjob": {}}
	examples := 0
	scan := bufio.NewScanner(f)
	for scan.Scan() {
		line := scan.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		parts := strings.SplitN(line, " | ", 3)
		score, err := strconv.Atoi(parts[0])
		if len(parts) != 3 || err != nil {
			t.Fatalf("bad example %q", line)
		}
		examples++
		want := map[string]bool{}
		for _, k := range strings.Split(parts[1], ",") {
			want[k] = true
		}
		found := map[feedbackv1.EvidenceWarning_Kind]bool{}
		for _, w := range checkEvidence(parts[2], int32(score), true, ratingScale{min: 1, max: 4, known: true}, DefaultNotJobRelated) {
			found[w.Kind] = true
		}
		for name, kind := range kinds {
			c := got[name]
			switch {
			case found[kind] && want[name]:
				c.tp++
			case found[kind]:
				c.fp++
				t.Logf("false %s: %s", name, parts[2])
			case want[name]:
				c.fn++
				t.Logf("missed %s: %s", name, parts[2])
			}
		}
	}
	if err := scan.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d examples", examples)
	for _, name := range []string{"short", "behaviour", "notjob"} {
		c := got[name]
		precision := float64(c.tp) / float64(max(c.tp+c.fp, 1))
		recall := float64(c.tp) / float64(max(c.tp+c.fn, 1))
		t.Logf("%-9s flagged correctly %2d, falsely %2d, missed %2d: precision %.2f, recall %.2f", name, c.tp, c.fp, c.fn, precision, recall)
		// The floor the docs promise: a check that cries wolf is ignored.
		if precision < 0.8 || recall < 0.8 {
			t.Errorf("%s: precision %.2f, recall %.2f; the docs promise at least 0.80 each", name, precision, recall)
		}
	}
}
