package feedback

import "time"

// The store's own types: what candidates, scorecards and the interviewers'
// index look like in MongoDB. They are mapped to and from the API messages
// in convert.go only.

// candidate is a candidate's document. It lists its interviews, so that a
// panel is one read by _id.
type candidate struct {
	DisplayName string `bson:"display_name"`
	Role        string `bson:"role"`
	Level       string `bson:"level"`
	ExternalID  string `bson:"external_id,omitempty"`
	// Source is the applicant tracking system an imported candidate came
	// from (imports.go); with ExternalID it names the candidate there.
	Source string `bson:"source,omitempty"`
	// HiredUser is the person a hired candidate became (users/{user}):
	// the closed-loop report's link (closed_loop.go).
	HiredUser  string      `bson:"hired_user,omitempty"`
	State      int32       `bson:"state"`
	Interviews []interview `bson:"interviews"`
	// Listed is when the candidate was listed under its role and among all
	// candidates (membership.go): lists are in this order, and an entry is
	// found again by it. Zero for candidates stored before memberships,
	// which are listed at their create time.
	Listed time.Time `bson:"listed,omitempty"`
}

// interview is one interview of a candidate.
type interview struct {
	ID            string    `bson:"id"`
	Interviewer   string    `bson:"interviewer"` // users/{user}
	Rubric        string    `bson:"rubric"`      // rubrics/{r}/revisions/{n}
	Focus         []string  `bson:"focus"`       // competency IDs, never empty once created
	ScheduledTime time.Time `bson:"scheduled_time,omitempty"`
	CreateTime    time.Time `bson:"create_time"`
	// ExternalID is the interview's ID in its candidate's Source.
	ExternalID string `bson:"external_id,omitempty"`
}

// listedAt is where an interview stands in its interviewer's list: its
// scheduled time, or when it was added if it has none.
func (iv *interview) listedAt() time.Time {
	if !iv.ScheduledTime.IsZero() {
		return iv.ScheduledTime
	}
	return iv.CreateTime
}

// scorecard is the document of one interview's scorecard, keyed by its name.
type scorecard struct {
	Interviewer    string    `bson:"interviewer"`
	Rubric         string    `bson:"rubric"`
	Ratings        []rating  `bson:"ratings"`
	Recommendation int32     `bson:"recommendation"`
	NoteToPanel    string    `bson:"note_to_panel,omitempty"`
	PrivateNote    string    `bson:"private_note,omitempty"`
	Submitted      bool      `bson:"submitted"`
	SubmitTime     time.Time `bson:"submit_time,omitempty"`
	Submitter      string    `bson:"submitter,omitempty"`
	// SubmitVersion is the version the submit produced: the history from
	// there on is the panel's to read (amendments), before it the author's.
	SubmitVersion int64 `bson:"submit_version,omitempty"`
	// Reason is the reason of the amendment that produced this version.
	Reason string `bson:"reason,omitempty"`
}

type rating struct {
	Competency string `bson:"competency"`
	Score      int32  `bson:"score"`
	// Unscored marks a draft's rating whose evidence was written before a
	// score was chosen. Submitted ratings never have it (validateComplete):
	// the calibration readers may take Score as chosen.
	Unscored    bool   `bson:"unscored,omitempty"`
	Evidence    string `bson:"evidence,omitempty"`
	NotAssessed bool   `bson:"not_assessed,omitempty"`
}
