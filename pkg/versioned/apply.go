package versioned

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"golang.org/x/sync/errgroup"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
)

// Existence is what a write expects of the resource's existence.
type Existence int

const (
	// MayExist: create or change, whichever applies (the change function decides).
	MayExist Existence = iota
	// MustExist: the resource must be live, or the write is NotFound.
	MustExist
	// MustNotExist: the resource must not be live, or the write is AlreadyExists.
	MustNotExist
)

// Expect is what a write expects of the resource it changes. Apply checks it
// against the current document before the change function runs, so no
// caller compares versions itself.
type Expect struct {
	// ETag, when set, must be the current etag. Etags are opaque to clients
	// (AIP-154): any other value — stale, malformed, another resource's — is
	// a conflict (ABORTED), never bad input.
	ETag string
	// Exists says whether the resource must exist, must not, or may.
	Exists Existence
	// RequestID makes the write idempotent (AIP-155): a write that carries
	// the id of an earlier successful write by the same actor to the same
	// resource returns that write's result and changes nothing, also when
	// the two run at once (see requestClaim). The id of a write to another
	// resource is refused (INVALID_ARGUMENT).
	RequestID string
	// AnyName lets the replay of RequestID return a write to another
	// resource: for creates whose name the server chooses, where a retry
	// may try another name than the first attempt got.
	AnyName bool
	// Alongside, when set, is a check of the caller's own that reads
	// elsewhere (who may write this resource): it runs beside the write's
	// first reads instead of before them, and its error fails the write
	// before anything is decided or written.
	Alongside func(ctx context.Context) error
}

// Apply changes a resource. fn sees the current document (and may be called
// a second time, when it refused a document a version behind): nil when the
// resource never existed, a document with Deleted set when it was deleted (so
// that a re-created resource can carry counters over), and returns the edit
// to make, or an error that Apply returns as it is. When another writer
// changed the resource between the read and the write, Apply returns
// apierr.ErrConflict and changes nothing.
func (s *Store[T]) Apply(ctx context.Context, name, actor string, want Expect, fn func(cur *Doc[T]) (Edit[T], error)) (doc *Doc[T], err error) {
	if len(want.RequestID) > MaxRequestIDLength {
		return nil, apierr.Invalid("request_id", "must be at most %d characters", MaxRequestIDLength)
	}
	// The claim of the request, the document as stored and the caller's
	// own check are independent reads (and one insert), so they run at
	// once. The claim still comes before anything is decided or written:
	// a concurrent attempt of the same request waits for this one and
	// returns its result, so one request makes one change, whatever name
	// it picked. Reading the document beside the claim is safe: whatever
	// version it finds, this write's record is refused as a duplicate
	// unless that version is still the newest when it is inserted.
	//
	// The document is read as stored, without looking for a pending change
	// first: if one is pending (recorded, not applied), this write's record
	// has its version and is refused as a duplicate below, so nothing is
	// ever decided on a stale version. What is not written is decided
	// again on the newest version, which load rolls forward to: a refusal
	// (an etag that does not match, a change function's error) and
	// "unchanged".
	var (
		first, cur *Doc[T]
		claimed    *requestClaim
		claimErr   error
		checkErr   error
	)
	g, gctx := errgroup.WithContext(ctx)
	if want.RequestID != "" {
		g.Go(func() error { first, claimed, claimErr = s.claim(ctx, name, actor, want); return nil })
	}
	if want.Alongside != nil {
		g.Go(func() error { checkErr = want.Alongside(ctx); return nil })
	}
	g.Go(func() (err error) { cur, err = s.find(gctx, name); return err })
	findErr := g.Wait()
	if claimed != nil {
		defer func() {
			switch {
			case claimed.recorded:
			case err != nil:
				s.release(ctx, claimed)
			case doc.Version > 0: // nothing to change: the result is the current version
				err = s.settleAt(ctx, claimed.ID, doc.Version)
			}
		}()
	}
	switch {
	case checkErr != nil:
		return nil, checkErr
	case claimErr != nil:
		return nil, claimErr
	case first != nil:
		return first, nil
	case findErr != nil:
		return nil, findErr
	}
	edit, err := decide(name, cur, want, fn)
	if err != nil || edit.Unchanged {
		if cur, err = s.load(ctx, name); err != nil {
			return nil, err
		}
		if edit, err = decide(name, cur, want, fn); err != nil {
			return nil, err
		}
	}
	if edit.Unchanged && cur.Live() {
		return cur, nil
	}
	change := s.next(name, actor, want, cur, edit)
	marker, err := s.mark(ctx, change)
	if err != nil {
		return nil, err
	}
	if _, err := s.changes.InsertOne(ctx, change); err != nil {
		s.unmark(ctx, marker)
		if !mongo.IsDuplicateKeyError(err) {
			return nil, fmt.Errorf("record change: %w", err)
		}
		// Another writer won this version, or a change whose writer died is
		// pending: roll it forward, so that a retry finds the newest version.
		if _, err := s.load(ctx, name); err != nil {
			return nil, err
		}
		return nil, apierr.Conflict("%s was changed concurrently", name)
	}
	if claimed != nil {
		claimed.recorded = true // from here on the claim is this change's
	}
	// The change is decided: finish it even if the caller has gone away, so
	// that readers see it at once. If this fails, the next reader or writer
	// rolls it forward.
	finishCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	if err := s.complete(finishCtx, change, cur); err != nil {
		return nil, err // the marker stays: the sweep finishes the change
	}
	s.versions.saw(name, change.Version)
	// The marker's removal changes nothing anyone reads, so the write is
	// acknowledged without waiting for it. A process that dies first
	// leaves the marker, which costs the sweep at the next start one read.
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
		defer cancel()
		s.unmark(ctx, marker)
	}()
	return &change.After, nil
}

// decide checks what the write expects of cur and asks fn for the edit.
func decide[T any](name string, cur *Doc[T], want Expect, fn func(cur *Doc[T]) (Edit[T], error)) (Edit[T], error) {
	if err := check(name, cur, want); err != nil {
		return Edit[T]{}, err
	}
	return fn(cur)
}

// next is the change record an edit of cur makes.
func (s *Store[T]) next(name, actor string, want Expect, cur *Doc[T], edit Edit[T]) *Change[T] {
	now := time.Now().UTC().Truncate(time.Millisecond) // BSON dates hold milliseconds
	after := Doc[T]{Name: name, Version: 1, Deleted: edit.Delete, CreateTime: now, UpdateTime: now, Data: edit.Data}
	if cur != nil {
		after.Version = cur.Version + 1
		if cur.Live() {
			after.CreateTime = cur.CreateTime
		}
	}
	return &Change[T]{
		ID: changeID(name, after.Version), Resource: name, Version: after.Version,
		Kind: edit.Kind, Actor: actor, Time: now, Fields: edit.Fields, Ref: edit.Ref,
		RequestID: want.RequestID, After: after,
	}
}

// finishTimeout bounds finishing a recorded change after its caller left.
const finishTimeout = 10 * time.Second

// check compares the current document with what the write expects.
func check[T any](name string, cur *Doc[T], want Expect) error {
	switch {
	case want.Exists == MustExist && !cur.Live():
		return apierr.NotFound(name)
	case want.Exists == MustNotExist && cur.Live():
		return apierr.AlreadyExists(name)
	case want.ETag == "":
		return nil
	case !cur.Live():
		return apierr.NotFound(name)
	case want.ETag != cur.ETag():
		// The etag sent is not echoed: it is the client's, of any size.
		e := apierr.New(apierr.ErrConflict, name+" has changed: the etag sent is not the current one; read it again and retry")
		e.Reason, e.Metadata = apierr.ReasonEtagMismatch, map[string]string{"resource": name}
		return e
	}
	return nil
}
