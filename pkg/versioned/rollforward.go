package versioned

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
)

// load returns the current document (nil when there is none), after rolling
// forward any change that was recorded but not applied. A change whose
// derived write fails is not applied, and the last complete document is
// served instead: readers never depend on a derived write.
func (s *Store[T]) load(ctx context.Context, name string) (*Doc[T], error) {
	const maxRollForward = 8
	for range maxRollForward {
		doc, err := s.find(ctx, name)
		if err != nil {
			return nil, err
		}
		var version int64
		if doc != nil {
			version = doc.Version
		}
		pending, err := s.change(ctx, changeID(name, version+1))
		if err != nil {
			return nil, err
		}
		if pending == nil {
			return doc, nil
		}
		if pending.After.Name == "" {
			// Forgotten (Options.Forget): applied once, then superseded, so
			// the document went back to an older version under a late
			// write. The newest record still holds its document.
			if pending, err = s.newest(ctx, name, version+2); err != nil || pending == nil {
				return doc, err
			}
		}
		if err := s.complete(ctx, pending, doc); err != nil {
			var derived *derivedError
			if errors.As(err, &derived) {
				if pending.Failure != "" {
					continue // abandoned: its version now carries the last complete data
				}
				return doc, nil
			}
			return nil, err
		}
	}
	return nil, apierr.Conflict("%s is changing too fast", name)
}

// complete makes the current document what a recorded change says. prev is
// the document the change was made from (nil for a first create).
//
// The replace is by _id alone, the one filter the embedded store answers
// from an index, so it is not conditional on the version: a replace that
// lands late (its writer stalled while others moved on) can put back an
// older version. The next load heals that, because the newer change record
// is then "pending" again and is rolled forward; until someone reads the
// resource, List may show the older version.
func (s *Store[T]) complete(ctx context.Context, c *Change[T], prev *Doc[T]) error {
	if c.Failure == "" && s.derives(c) {
		if err := s.derive(ctx, c, prev); err != nil {
			return err
		}
	}
	if c.RequestID != "" && c.Failure == "" {
		if err := s.rememberRequest(ctx, c); err != nil {
			return err
		}
	}
	if err := s.put(ctx, &c.After, prev); err != nil {
		return err
	}
	if s.opts.Forget && c.Version > 1 {
		// Forget the previous version's document, not this one's: the
		// newest record must keep its document, so that a late write of an
		// older version can still be healed from it.
		return s.forget(ctx, changeID(c.Resource, c.Version-1))
	}
	return nil
}

// newest returns the newest change record of a resource from version on
// that still holds its document, nil when there is none.
func (s *Store[T]) newest(ctx context.Context, name string, from int64) (*Change[T], error) {
	var last *Change[T]
	for v := from; ; v++ {
		c, err := s.change(ctx, changeID(name, v))
		if err != nil {
			return nil, err
		}
		if c == nil {
			return last, nil
		}
		if c.After.Name != "" {
			last = c
		}
	}
}

// put writes a document over prev.
func (s *Store[T]) put(ctx context.Context, doc *Doc[T], prev *Doc[T]) error {
	if prev == nil {
		_, err := s.docs.InsertOne(ctx, doc)
		if err != nil && !mongo.IsDuplicateKeyError(err) { // a duplicate: someone else completed it
			return fmt.Errorf("insert document: %w", err)
		}
		return nil
	}
	if _, err := s.docs.ReplaceOne(ctx, bson.D{{Key: "_id", Value: doc.Name}}, doc); err != nil {
		return fmt.Errorf("replace document: %w", err)
	}
	return nil
}

// derivedError is a failed derived write (AfterRecord).
type derivedError struct{ err error }

func (e *derivedError) Error() string { return "derived write: " + e.err.Error() }
func (e *derivedError) Unwrap() error { return e.err }

// derives reports whether a change has a derived write.
func (s *Store[T]) derives(c *Change[T]) bool {
	return s.opts.AfterRecord != nil && (s.opts.Derives == nil || s.opts.Derives(c))
}

// derive runs a change's derived write (AfterRecord) and settles its
// outcome. Several readers and writers may run it at once; their outcomes
// can differ (one attempt fails for the last time while another succeeds),
// and only one may count: the first verdict recorded (see decide). A change
// with a verdict already is not derived again. It returns nil when the
// change is to be applied, and a derivedError when it is not (yet, or
// ever: abandoned).
func (s *Store[T]) derive(ctx context.Context, c *Change[T], prev *Doc[T]) error {
	got, err := s.verdictOn(ctx, c.ID)
	if err != nil {
		return err
	}
	if got == nil {
		want := verdict{ID: verdictID(c.ID), Outcome: outcomeApplied}
		derived := s.opts.AfterRecord(ctx, c)
		if derived != nil {
			if c.Attempts+1 < s.opts.MaxAttempts {
				return s.countAttempt(ctx, c, derived)
			}
			want.Outcome, want.Attempts = outcomeAbandoned, c.Attempts+1
			want.Reason = fmt.Sprintf("abandoned after %d failed attempts at its derived write: %s", want.Attempts, truncate(derived.Error(), 500))
		}
		if got, err = s.decide(ctx, want); err != nil {
			return err
		}
		if derived == nil && got.Outcome == outcomeAbandoned && s.opts.Undo != nil {
			// This attempt's derived write landed after another gave the
			// change up: take it back.
			if err := s.opts.Undo(ctx, c); err != nil {
				return fmt.Errorf("undo the derived write of abandoned %s: %w", c.ID, err)
			}
		}
	}
	if got.Outcome == outcomeApplied {
		return nil
	}
	if err := s.abandon(ctx, c, prev, *got); err != nil {
		return err
	}
	return &derivedError{errors.New(got.Reason)}
}

// countAttempt counts a failed attempt at a change's derived write that
// leaves attempts to go.
func (s *Store[T]) countAttempt(ctx context.Context, c *Change[T], cause error) error {
	c.Attempts++
	update := bson.D{{Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}}}
	if _, err := s.changes.UpdateOne(ctx, bson.D{{Key: "_id", Value: c.ID}}, update); err != nil {
		return fmt.Errorf("count attempt of %s: %w", c.ID, err)
	}
	return &derivedError{cause}
}

// verdict settles whether a change with a derived write was applied or
// abandoned. Its _id ("{name}#{version}#derived", in the change collection)
// is the guard, as the change record's is for the change itself: the first
// verdict inserted is final, so an attempt that fails for the last time
// cannot undo a success that a reader has already seen, nor a late success
// bring back a change that was abandoned.
type verdict struct {
	ID      string `bson:"_id"`
	Outcome string `bson:"outcome"`
	// Reason and Attempts, for an abandoned change, are what its record
	// will say.
	Reason   string `bson:"reason,omitempty"`
	Attempts int    `bson:"attempts,omitempty"`
}

const (
	outcomeApplied   = "applied"
	outcomeAbandoned = "abandoned"
)

const verdictSuffix = "#derived"

func verdictID(changeID string) string { return changeID + verdictSuffix }

// decide records want as the verdict on a change, unless there is one
// already, and returns the verdict that stands.
func (s *Store[T]) decide(ctx context.Context, want verdict) (*verdict, error) {
	_, err := s.changes.InsertOne(ctx, want)
	if err == nil {
		return &want, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return nil, fmt.Errorf("record the outcome of %s: %w", want.ID, err)
	}
	got, err := s.verdictOn(ctx, strings.TrimSuffix(want.ID, verdictSuffix))
	if err == nil && got == nil {
		err = fmt.Errorf("the outcome of %s is recorded and cannot be read", want.ID)
	}
	return got, err
}

// verdictOn reads the verdict on a change; nil when there is none yet.
func (s *Store[T]) verdictOn(ctx context.Context, changeID string) (*verdict, error) {
	var v verdict
	err := s.changes.FindOne(ctx, bson.D{{Key: "_id", Value: verdictID(changeID)}}).Decode(&v)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the outcome of %s: %w", changeID, err)
	}
	return &v, nil
}

// Abandoned reports whether a change (by its ID, "{name}#{version}") was
// abandoned: for a derived document to tell whether the change that wrote
// it counts.
func (s *Store[T]) Abandoned(ctx context.Context, changeID string) (bool, error) {
	v, err := s.verdictOn(ctx, changeID)
	return v != nil && v.Outcome == outcomeAbandoned, err
}

// abandon gives up a change whose derived write kept failing, once that is
// the verdict. The version it took stays taken (versions have no gaps, and
// the record is the race guard), but it now carries the data as it was
// before the change, and the record says why: the history shows the
// failure, readers see the last complete state, and writers can go on from
// the next version. It can be run again (by whoever finds the verdict).
func (s *Store[T]) abandon(ctx context.Context, c *Change[T], prev *Doc[T], v verdict) error {
	kept := c.After
	kept.Deleted = true
	var zero T
	kept.Data = zero
	if prev != nil {
		kept.Deleted, kept.Data, kept.CreateTime = prev.Deleted, prev.Data, prev.CreateTime
	}
	c.Failure, c.Attempts, c.After = v.Reason, v.Attempts, kept
	update := bson.D{{Key: "$set", Value: bson.D{
		{Key: "attempts", Value: c.Attempts},
		{Key: "failure", Value: c.Failure},
		{Key: "after", Value: kept},
	}}}
	if _, err := s.changes.UpdateOne(ctx, bson.D{{Key: "_id", Value: c.ID}}, update); err != nil {
		return fmt.Errorf("abandon %s: %w", c.ID, err)
	}
	return s.put(ctx, &kept, prev)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 { // not in the middle of a UTF-8 sequence
		n--
	}
	return s[:n] + "…"
}
