package feedback

import "time"

// The store's own types: what candidates, scorecards and the interviewers'
// index look like in MongoDB. They are mapped to and from the API messages
// in convert.go only.

// candidate is a candidate's document. It lists its interviews, so that a
// panel is one read by _id.
type candidate struct {
	DisplayName string      `bson:"display_name"`
	Role        string      `bson:"role"`
	Level       string      `bson:"level"`
	ExternalID  string      `bson:"external_id,omitempty"`
	State       int32       `bson:"state"`
	Interviews  []interview `bson:"interviews"`
}

// interview is one interview of a candidate.
type interview struct {
	ID            string    `bson:"id"`
	Interviewer   string    `bson:"interviewer"` // users/{user}
	Rubric        string    `bson:"rubric"`      // rubrics/{r}/revisions/{n}
	Focus         []string  `bson:"focus"`       // competency IDs, never empty once created
	ScheduledTime time.Time `bson:"scheduled_time,omitempty"`
	CreateTime    time.Time `bson:"create_time"`
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

// interviewerIndex lists one interviewer's interviews, keyed
// "users/{user}/interviews", so that "my interviews" is one read by _id. It
// is derived from the candidates' changes (see Store.indexInterview).
type interviewerIndex struct {
	Interviews []indexEntry `bson:"interviews"`
}

type indexEntry struct {
	Interview string `bson:"interview"` // candidates/{c}/interviews/{i}
}
