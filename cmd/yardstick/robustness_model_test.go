package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/anishathalye/porcupine"
)

// The sequential specification of the resources the robustness test
// writes, as their writers see them through the API, for its
// linearizability check (github.com/anishathalye/porcupine, as etcd's
// robustness tests use): each scorecard, as its interviewer sees it, and a
// framework, as an admin edits and publishes it. The history is partitioned
// by resource: they are independent, except that erasing a candidate ends
// both of its scorecards, so an erase is recorded once in each.

// Operation kinds.
const (
	opGet    = "get"
	opUpdate = "update"
	opSubmit = "submit"
	opAmend  = "amend"
	opErase  = "erase"
	// The framework's: its creation (recorded once, at the start), reads,
	// title edits and publishes.
	opFrameworkCreate  = "framework-create"
	opFrameworkGet     = "framework-get"
	opFrameworkUpdate  = "framework-update"
	opFrameworkPublish = "framework-publish"
)

// Outcomes: the status code's meaning, or unknown when the call's effect
// cannot be known (the process was killed, the deadline passed).
const (
	outOK           = "ok"
	outConflict     = "aborted"
	outPrecondition = "precondition"
	outNotFound     = "notfound"
	outInvalid      = "invalid"
	outExists       = "exists"
	outUnknown      = "unknown"
)

type scInput struct {
	Op        string
	Scorecard string // the resource: a scorecard's name, or the framework's
	ETag      string // the etag the client sent (update, submit, amend)
	Score     int32  // the score it wrote (update, amend)
	Title     string // the title it wrote (framework-update)
	RequestID string // submit, amend and publish may carry one
}

type scOutput struct {
	Code      string
	ETag      string
	Score     int32
	Submitted bool
	Title     string
	Revision  string // the revision a publish made, the latest a read shows
}

// scState is one scorecard, or the framework (Title, Unpublished,
// Revisions). Requests lists "id=version" of the requests that succeeded
// with an id, sorted: a replay returns that version.
type scState struct {
	Erased, Exists, Submitted bool
	Version                   int64
	Score                     int32
	Requests                  string
	Title                     string
	Unpublished               bool
	Revisions                 int
}

func (s scState) etag() string { return strconv.FormatInt(s.Version, 10) }

func (s scState) replayed(id string) (version string, ok bool) {
	if id == "" {
		return "", false
	}
	for _, r := range strings.Split(s.Requests, ",") {
		if k, v, _ := strings.Cut(r, "="); k == id {
			return v, true
		}
	}
	return "", false
}

// written is the state after a successful write that made the next version.
func (s scState) written(in scInput, score int32, submitted bool) scState {
	s.Exists, s.Version, s.Score, s.Submitted = true, s.Version+1, score, submitted
	if in.RequestID != "" {
		reqs := append(strings.Split(s.Requests, ","), in.RequestID+"="+s.etag())
		reqs = slices.DeleteFunc(reqs, func(r string) bool { return r == "" })
		slices.Sort(reqs)
		s.Requests = strings.Join(reqs, ",")
	}
	return s
}

// step returns the outcomes a scorecard in state s may give to in: each
// with the output it must show and the state after it.
func step(s scState, in scInput) []outcome {
	if in.Op == opErase {
		if s.Erased {
			return []outcome{{out: scOutput{Code: outOK}, next: s}, {out: scOutput{Code: outNotFound}, next: s}}
		}
		return []outcome{{out: scOutput{Code: outOK}, next: scState{Erased: true}}}
	}
	if s.Erased {
		return []outcome{{out: scOutput{Code: outNotFound}, next: s}}
	}
	same := func(code string) []outcome { return []outcome{{out: scOutput{Code: code}, next: s}} }
	switch in.Op {
	case opFrameworkCreate:
		n := scState{Exists: true, Version: 1, Title: in.Title, Unpublished: true}
		return []outcome{{out: scOutput{Code: outOK, ETag: n.etag(), Title: in.Title}, next: n}}
	case opFrameworkGet:
		return []outcome{{out: scOutput{Code: outOK, ETag: s.etag(), Title: s.Title, Revision: s.latest()}, next: s}}
	case opFrameworkUpdate, opFrameworkPublish:
		return append(frameworkStep(s, in, same), same(outConflict)...)
	}
	if in.Op == opGet {
		if !s.Exists {
			return []outcome{{out: scOutput{Code: outOK}, next: s}}
		}
		return []outcome{{out: scOutput{Code: outOK, ETag: s.etag(), Score: s.Score, Submitted: s.Submitted}, next: s}}
	}
	// A write may always lose a race and change nothing (ABORTED): one
	// that read the version another writer was writing. What it may never
	// do is succeed twice on one version, or once too often.
	return append(writeStep(s, in, same), same(outConflict)...)
}

// writeStep is step for update, submit and amend.
func writeStep(s scState, in scInput, same func(code string) []outcome) []outcome {
	if v, ok := s.replayed(in.RequestID); ok {
		return []outcome{{out: scOutput{Code: outOK, ETag: v, Submitted: true}, next: s, replay: true}}
	}
	switch in.Op {
	case opUpdate:
		switch {
		case !s.Exists && in.ETag == "":
			n := s.written(in, in.Score, false)
			return []outcome{{out: scOutput{Code: outOK, ETag: n.etag(), Score: in.Score}, next: n}}
		case !s.Exists:
			return same(outNotFound)
		case in.ETag == "":
			// The server read the scorecard as missing (a create that
			// then loses) or as existing (an etag is then required).
			return append(same(outInvalid), same(outExists)...)
		case in.ETag != s.etag():
			return same(outConflict)
		case s.Submitted:
			return same(outPrecondition)
		}
		n := s.written(in, in.Score, false)
		return []outcome{{out: scOutput{Code: outOK, ETag: n.etag(), Score: in.Score}, next: n}}
	case opSubmit:
		switch {
		case !s.Exists:
			return same(outPrecondition)
		case in.ETag != "" && in.ETag != s.etag(): // no etag: no check
			return same(outConflict)
		case s.Submitted:
			return same(outPrecondition)
		}
		n := s.written(in, s.Score, true)
		return []outcome{{out: scOutput{Code: outOK, ETag: n.etag(), Score: s.Score, Submitted: true}, next: n}}
	case opAmend:
		switch {
		case !s.Exists:
			return same(outNotFound)
		case in.ETag != "" && in.ETag != s.etag(): // no etag: no check
			return same(outConflict)
		case !s.Submitted:
			return same(outPrecondition)
		}
		n := s.written(in, in.Score, true)
		return []outcome{{out: scOutput{Code: outOK, ETag: n.etag(), Score: in.Score, Submitted: true}, next: n}}
	}
	panic("unknown operation " + in.Op)
}

// frameworkStep is step for a framework's edits and publishes.
func frameworkStep(s scState, in scInput, same func(code string) []outcome) []outcome {
	if in.Op == opFrameworkUpdate {
		switch {
		case in.ETag == "":
			return same(outInvalid) // an edit names the version it changes
		case in.ETag != s.etag():
			return same(outConflict)
		case in.Title == s.Title: // nothing to change: the current version
			return []outcome{{out: scOutput{Code: outOK, ETag: s.etag(), Title: s.Title, Revision: s.latest()}, next: s}}
		}
		n := s
		n.Version, n.Title, n.Unpublished = s.Version+1, in.Title, true
		return []outcome{{out: scOutput{Code: outOK, ETag: n.etag(), Title: n.Title, Revision: n.latest()}, next: n}}
	}
	if v, ok := s.replayed(in.RequestID); ok {
		return []outcome{{out: scOutput{Code: outOK, Revision: v}, next: s}}
	}
	switch {
	case in.ETag != "" && in.ETag != s.etag():
		return same(outConflict)
	case !s.Unpublished:
		return same(outPrecondition)
	}
	n := s
	n.Version, n.Unpublished, n.Revisions = s.Version+1, false, s.Revisions+1
	if in.RequestID != "" {
		reqs := slices.DeleteFunc(append(strings.Split(s.Requests, ","), in.RequestID+"="+n.latest()), func(r string) bool { return r == "" })
		slices.Sort(reqs)
		n.Requests = strings.Join(reqs, ",")
	}
	return []outcome{{out: scOutput{Code: outOK, Revision: n.latest()}, next: n}}
}

// latest names the framework's newest revision by number; empty before the
// first publish.
func (s scState) latest() string {
	if s.Revisions == 0 {
		return ""
	}
	return strconv.Itoa(s.Revisions)
}

type outcome struct {
	out    scOutput
	next   scState
	replay bool // a replay shows the first result's version; its score is not compared
}

func (o outcome) matches(got scOutput) bool {
	if o.replay {
		return got.Code == o.out.Code && got.ETag == o.out.ETag && got.Submitted
	}
	return got == o.out
}

// scorecardModel is the specification for porcupine. An operation whose
// outcome is unknown may have happened or not: both states follow.
var scorecardModel = porcupine.NondeterministicModel{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		by := map[string][]porcupine.Operation{}
		var keys []string
		for _, op := range history {
			k := op.Input.(scInput).Scorecard
			if _, ok := by[k]; !ok {
				keys = append(keys, k)
			}
			by[k] = append(by[k], op)
		}
		slices.Sort(keys)
		out := make([][]porcupine.Operation, len(keys))
		for i, k := range keys {
			out[i] = by[k]
		}
		return out
	},
	Init: func() []any { return []any{scState{}} },
	Step: func(state, input, output any) []any {
		s, in, got := state.(scState), input.(scInput), output.(scOutput)
		var next []any
		if got.Code == outUnknown {
			next = append(next, s) // it did not happen
		}
		for _, o := range step(s, in) {
			if (got.Code == outUnknown && o.out.Code == outOK) || o.matches(got) {
				next = append(next, o.next)
			}
		}
		return next
	},
	DescribeOperation: func(input, output any) string {
		in, out := input.(scInput), output.(scOutput)
		return fmt.Sprintf("%s(etag %q, score %d, title %q, request %q) → %s etag %q score %d submitted %v title %q revision %q",
			in.Op, in.ETag, in.Score, in.Title, in.RequestID, out.Code, out.ETag, out.Score, out.Submitted, out.Title, out.Revision)
	},
	DescribeState: func(state any) string { return fmt.Sprintf("%+v", state.(scState)) },
}

// The checker is only as good as the model: it must refuse what the store
// must never do.
func TestScorecardModelRefusesWhatTheStoreMustNotDo(t *testing.T) {
	op := func(client int, call, ret int64, in scInput, out scOutput) porcupine.Operation {
		return porcupine.Operation{ClientId: client, Input: in, Call: call, Output: out, Return: ret}
	}
	const sc = "candidates/a/interviews/i/scorecard"
	created := op(0, 0, 10, scInput{Op: opUpdate, Scorecard: sc, Score: 2}, scOutput{Code: outOK, ETag: "1", Score: 2})
	for name, h := range map[string][]porcupine.Operation{
		"a lost update: two writers of version 1 both succeed": {
			created,
			op(1, 20, 30, scInput{Op: opUpdate, Scorecard: sc, ETag: "1", Score: 3}, scOutput{Code: outOK, ETag: "2", Score: 3}),
			op(2, 20, 30, scInput{Op: opUpdate, Scorecard: sc, ETag: "1", Score: 4}, scOutput{Code: outOK, ETag: "2", Score: 4}),
		},
		"a request applied twice": {
			created,
			op(1, 20, 30, scInput{Op: opSubmit, Scorecard: sc, ETag: "1", RequestID: "r"}, scOutput{Code: outOK, ETag: "2", Score: 2, Submitted: true}),
			op(1, 40, 50, scInput{Op: opAmend, Scorecard: sc, ETag: "2", Score: 4, RequestID: "s"}, scOutput{Code: outOK, ETag: "3", Score: 4, Submitted: true}),
			op(1, 60, 70, scInput{Op: opSubmit, Scorecard: sc, ETag: "1", RequestID: "r"}, scOutput{Code: outPrecondition}),
		},
		"one draft published twice": {
			op(0, 0, 10, scInput{Op: opFrameworkCreate, Scorecard: "frameworks/f", Title: "T0"}, scOutput{Code: outOK, ETag: "1", Title: "T0"}),
			op(1, 20, 30, scInput{Op: opFrameworkPublish, Scorecard: "frameworks/f"}, scOutput{Code: outOK, Revision: "1"}),
			op(2, 20, 30, scInput{Op: opFrameworkPublish, Scorecard: "frameworks/f"}, scOutput{Code: outOK, Revision: "2"}),
		},
		"a scorecard readable after its erasure": {
			created,
			op(9, 20, 30, scInput{Op: opErase, Scorecard: sc}, scOutput{Code: outOK}),
			op(1, 40, 50, scInput{Op: opGet, Scorecard: sc}, scOutput{Code: outOK, ETag: "1", Score: 2}),
		},
	} {
		if porcupine.CheckOperations(scorecardModel.ToModel(), h) {
			t.Errorf("%s: the model accepts it", name)
		}
	}
	// And what it may do: an unknown outcome happened, or did not.
	ok := []porcupine.Operation{
		created,
		op(1, 20, math.MaxInt64, scInput{Op: opUpdate, Scorecard: sc, ETag: "1", Score: 3}, scOutput{Code: outUnknown}),
		op(2, 40, 50, scInput{Op: opGet, Scorecard: sc}, scOutput{Code: outOK, ETag: "2", Score: 3}),
		op(2, 60, 70, scInput{Op: opSubmit, Scorecard: sc, ETag: "2", RequestID: "r"}, scOutput{Code: outOK, ETag: "3", Score: 3, Submitted: true}),
		op(3, 80, 90, scInput{Op: opSubmit, Scorecard: sc, ETag: "2", RequestID: "r"}, scOutput{Code: outOK, ETag: "3", Score: 3, Submitted: true}),
	}
	if !porcupine.CheckOperations(scorecardModel.ToModel(), ok) {
		t.Error("the model refuses a history the store may give")
	}
}
