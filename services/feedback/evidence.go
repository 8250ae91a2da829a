package feedback

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
)

// Checks of the evidence an interviewer writes for a score, shown beside
// the field while drafting and counted per interviewer in the calibration
// report; never blocking. Pure functions of the text, the score and the
// rubric's scale, with word lists and a pattern:
//
//   - too short: fewer than 10 words, or 20 for the lowest or highest point
//     of the scale — the further a score is from the middle, the more it
//     needs to show;
//   - no observed behaviour: no sign of what the candidate said or did —
//     an action verb from the list, a verb in the past tense (-ed, not an
//     opinion word like "talented"), a number, or a quotation — so that
//     the text is opinion or label only ("great communicator", "smart");
//     the opinion words it has are named;
//   - not job-related: a word or phrase from a list the deployment may
//     replace (--not-job-related-words): age, family, accent, religion,
//     looks, "culture fit"… Matched as whole words, case-insensitively.
//
// evidence_test.go measures them on examples written for the purpose and
// docs/evidence-checks.md keeps the figures.

// evidenceWarning is one finding about one rating's evidence.
type evidenceWarning struct {
	Kind    feedbackv1.EvidenceWarning_Kind
	Message string
	Words   []string
}

const (
	minEvidenceWords        = 10
	minEvidenceWordsExtreme = 20
)

var (
	wordPattern   = regexp.MustCompile(`[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*`)
	numberPattern = regexp.MustCompile(`\p{N}`)
	quotePattern  = regexp.MustCompile(`["“”]`)
)

// DefaultNotJobRelated is the list of words and phrases that are not
// job-related, used unless a deployment gives its own.
var DefaultNotJobRelated = []string{
	"his age", "her age", "their age", "years old", "too old", "too young", "older", "younger", "generation", "millennial", "boomer",
	"his family", "her family", "their family", "a family", "kids", "children", "married", "wife", "husband", "pregnant",
	"pregnancy", "maternity", "paternity",
	"accent", "native speaker", "foreigner", "immigrant", "nationality", "ethnic", "ethnicity",
	"religion", "religious", "church", "mosque", "synagogue", "christian", "muslim", "jewish", "hindu",
	"gender", "disability", "disabled", "wheelchair",
	"pretty", "attractive", "handsome", "good-looking",
	"culture fit", "cultural fit", "not a fit", "fit in", "beer",
}

// opinionWords label or judge without saying what happened.
var opinionWords = wordSet(`great good excellent amazing awesome brilliant smart clever intelligent bright strong weak poor bad nice
	impressive solid sharp passionate confident arrogant lazy rockstar ninja talented gifted genius likeable likable friendly
	pleasant personable enthusiastic energetic motivated interested experienced skilled seasoned competent capable
	fantastic outstanding superb terrible awful mediocre decent fine okay ok seems seemed felt feel think believe vibe vibes
	gut fit culture impressed liked loved disliked hated`)

// actionWords are what an interviewer saw a candidate do, in forms the
// past-tense pattern misses.
var actionWords = wordSet(`wrote built drew chose took gave made said asked answered spoke began ran broke found forgot
	led split sketched thought caught knew saw showed shown walked proposed explained described implemented designed tested
	debugged refactored identified noticed sized estimated compared coded fixed handled missed struggled suggested sharded
	measured traced profiled reasoned justified derived named used added removed clarified questioned covered considered
	mentioned recognised recognized wrote rewrote paired reviewed read`)

// notPastTense end in -ed and say nothing of what happened.
var notPastTense = wordSet(`need needed indeed speed seed based red bed feed shed proceed exceed succeed
	distributed advanced related detailed complicated sophisticated nested embedded automated typed threaded`)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// checkEvidence checks one rating's evidence. scored says whether a score
// was chosen; notJobRelated is the deployment's list (lower case).
func checkEvidence(text string, score int32, scored bool, scale ratingScale, notJobRelated []string) []evidenceWarning {
	text = strings.TrimSpace(text)
	if text == "" && !scored {
		return nil // nothing written, nothing chosen: not started
	}
	lower := strings.ToLower(text)
	words := wordPattern.FindAllString(lower, -1)
	var out []evidenceWarning
	if scored {
		need := minEvidenceWords
		if scale.known && (score == scale.min || score == scale.max) {
			need = minEvidenceWordsExtreme
		}
		if len(words) < need {
			msg := "Too short for the score: say what the candidate said or did, in at least %d words."
			if need == minEvidenceWordsExtreme {
				msg = "Too short for a score at the end of the scale: show what makes it that strong, in at least %d words."
			}
			out = append(out, evidenceWarning{Kind: feedbackv1.EvidenceWarning_KIND_TOO_SHORT, Message: fmt.Sprintf(msg, need)})
		}
	}
	if text != "" && !showsBehaviour(text, words) {
		var opinions []string
		for _, w := range words {
			if opinionWords[w] && !slices.Contains(opinions, w) {
				opinions = append(opinions, w)
			}
		}
		out = append(out, evidenceWarning{Kind: feedbackv1.EvidenceWarning_KIND_NO_BEHAVIOUR, Words: opinions,
			Message: "No observed behaviour: write what the candidate said or did (\"explained…\", \"chose…\", \"missed…\"), not only how it seemed."})
	}
	if found := phrasesIn(words, notJobRelated); len(found) > 0 {
		out = append(out, evidenceWarning{Kind: feedbackv1.EvidenceWarning_KIND_NOT_JOB_RELATED, Words: found,
			Message: "Not job-related: leave out what does not bear on the competency (" + strings.Join(found, ", ") + ")."})
	}
	return out
}

// showsBehaviour reports whether a text shows something observed.
func showsBehaviour(text string, words []string) bool {
	if numberPattern.MatchString(text) || quotePattern.MatchString(text) {
		return true
	}
	for _, w := range words {
		if actionWords[w] {
			return true
		}
		if len(w) > 4 && strings.HasSuffix(w, "ed") && !opinionWords[w] && !notPastTense[w] {
			return true
		}
	}
	return false
}

// phrasesIn returns the phrases of list that occur in words, as whole
// words, in list order.
func phrasesIn(words []string, list []string) []string {
	var found []string
	for _, phrase := range list {
		p := wordPattern.FindAllString(strings.ToLower(phrase), -1)
		if len(p) == 0 {
			continue
		}
		for i := 0; i+len(p) <= len(words); i++ {
			if slices.Equal(words[i:i+len(p)], p) {
				found = append(found, phrase)
				break
			}
		}
	}
	return found
}

// evidenceWarningsToProto turns findings into the API's.
func evidenceWarningsToProto(ws []evidenceWarning) []*feedbackv1.EvidenceWarning {
	out := make([]*feedbackv1.EvidenceWarning, len(ws))
	for i, w := range ws {
		out[i] = &feedbackv1.EvidenceWarning{Kind: w.Kind, Message: w.Message, Words: w.Words}
	}
	return out
}

// countEvidenceWarnings adds to each interviewer's row of a report how
// many of their assessed ratings in it the checks flag, by kind.
func countEvidenceWarnings(rep *feedbackv1.CalibrationReport, cards []scored, sc scales, notJobRelated []string) {
	type tally struct {
		assessed int32
		kinds    map[feedbackv1.EvidenceWarning_Kind]int32
	}
	per := map[string]*tally{}
	for _, c := range cards {
		t := per[c.iv.Interviewer]
		if t == nil {
			t = &tally{kinds: map[feedbackv1.EvidenceWarning_Kind]int32{}}
			per[c.iv.Interviewer] = t
		}
		for _, r := range c.sc.Ratings {
			if r.NotAssessed {
				continue
			}
			t.assessed++
			seen := map[feedbackv1.EvidenceWarning_Kind]bool{}
			for _, w := range checkEvidence(r.Evidence, r.Score, true, sc[c.iv.Rubric], notJobRelated) {
				if !seen[w.Kind] {
					seen[w.Kind] = true
					t.kinds[w.Kind]++
				}
			}
		}
	}
	for _, row := range rep.GetInterviewers() {
		t := per[row.GetInterviewer()]
		if t == nil {
			continue
		}
		row.AssessedRatings = t.assessed
		for _, k := range []feedbackv1.EvidenceWarning_Kind{feedbackv1.EvidenceWarning_KIND_TOO_SHORT,
			feedbackv1.EvidenceWarning_KIND_NO_BEHAVIOUR, feedbackv1.EvidenceWarning_KIND_NOT_JOB_RELATED} {
			row.EvidenceWarnings = append(row.EvidenceWarnings, &feedbackv1.EvidenceWarningCount{Kind: k, Count: t.kinds[k]})
		}
	}
}

// addEvidenceWarnings puts the checks' findings on a draft's ratings, for
// its author; scale is its rubric revision's.
func addEvidenceWarnings(out *feedbackv1.Scorecard, scale ratingScale, notJobRelated []string) {
	if out.GetState() == feedbackv1.Scorecard_STATE_SUBMITTED {
		return
	}
	for _, r := range out.GetRatings() {
		if r.GetNotAssessed() {
			continue
		}
		r.EvidenceWarnings = evidenceWarningsToProto(checkEvidence(r.GetEvidence(), r.GetScore(), r.Score != nil, scale, notJobRelated))
	}
}
