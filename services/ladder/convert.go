package ladder

import (
	"strconv"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/yardstick-dev/yardstick/pkg/protoconv"
	"github.com/yardstick-dev/yardstick/pkg/publishing"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// kindImport is the ladder's own change kind, beside publishing's.
const kindImport = "import"

var changeKinds = map[string]ladderv1.Change_Kind{
	publishing.KindCreate:  ladderv1.Change_KIND_CREATE,
	publishing.KindUpdate:  ladderv1.Change_KIND_UPDATE,
	publishing.KindPublish: ladderv1.Change_KIND_PUBLISH,
	publishing.KindDelete:  ladderv1.Change_KIND_DELETE,
	kindImport:             ladderv1.Change_KIND_IMPORT,
}

func draftToProto(doc *versioned.Doc[draft]) *ladderv1.Framework {
	f := contentToProto(doc.Data.Content)
	f.Name = doc.Name
	f.Etag = doc.ETag()
	f.UnpublishedChanges = doc.Data.Unpublished
	f.LatestRevision = publishing.LatestRevisionName(doc.Name, &doc.Data)
	f.CreateTime = timestamppb.New(doc.CreateTime)
	f.UpdateTime = timestamppb.New(doc.UpdateTime)
	f.PublishTime = protoconv.OptionalTime(doc.Data.PublishTime)
	if c := publishing.StampedChange(doc); c != nil {
		f.LastChange = changeToProto(c)
	}
	return f
}

// snapshotOf is the framework as a revision froze it.
func snapshotOf(r *revision) *ladderv1.Framework {
	f := contentToProto(r.Content)
	f.Name = r.Parent
	f.CreateTime = timestamppb.New(r.CreateTime)
	f.UpdateTime = timestamppb.New(r.PublishTime)
	f.PublishTime = timestamppb.New(r.PublishTime)
	return f
}

// latestSnapshot is what a non-admin reads as the framework: the snapshot of
// its latest revision, naming that revision.
func latestSnapshot(r *revision) *ladderv1.Framework {
	f := snapshotOf(r)
	f.LatestRevision = r.Name
	return f
}

func revisionToProto(r *revision) *ladderv1.FrameworkRevision {
	return &ladderv1.FrameworkRevision{
		Name:       r.Name,
		Snapshot:   snapshotOf(r),
		CreateTime: timestamppb.New(r.PublishTime),
		Etag:       r.ETag(),
	}
}

func changeToProto(c *versioned.Change[draft]) *ladderv1.Change {
	return &ladderv1.Change{
		Name:          c.Resource + "/changes/" + strconv.FormatInt(c.Version, 10),
		Version:       c.Version,
		Kind:          changeKinds[c.Kind],
		Actor:         c.Actor,
		CreateTime:    timestamppb.New(c.Time),
		ChangedFields: c.Fields,
		Revision:      publishing.ChangeRevision(c),
	}
}

func contentToProto(c content) *ladderv1.Framework {
	f := &ladderv1.Framework{Title: c.Title, Description: c.Description}
	for _, comp := range c.Competencies {
		f.Competencies = append(f.Competencies, &ladderv1.Competency{Id: comp.ID, Title: comp.Title, Description: comp.Description})
	}
	for _, t := range c.Tracks {
		pt := &ladderv1.Track{Id: t.ID, Title: t.Title}
		for _, l := range t.Levels {
			pl := &ladderv1.Level{Id: l.ID, Title: l.Title, Summary: l.Summary}
			for i := range l.Expectations {
				pl.Expectations = append(pl.Expectations, expectationToProto(&l.Expectations[i]))
			}
			pt.Levels = append(pt.Levels, pl)
		}
		f.Tracks = append(f.Tracks, pt)
	}
	return f
}

func contentFromProto(f *ladderv1.Framework) content {
	c := content{Title: f.GetTitle(), Description: f.GetDescription(), Competencies: []competency{}, Tracks: []track{}}
	for _, comp := range f.GetCompetencies() {
		c.Competencies = append(c.Competencies, competency{ID: comp.GetId(), Title: comp.GetTitle(), Description: comp.GetDescription()})
	}
	for _, t := range f.GetTracks() {
		st := track{ID: t.GetId(), Title: t.GetTitle(), Levels: []level{}}
		for _, l := range t.GetLevels() {
			sl := level{ID: l.GetId(), Title: l.GetTitle(), Summary: l.GetSummary(), Expectations: []expectation{}}
			for _, e := range l.GetExpectations() {
				sl.Expectations = append(sl.Expectations, expectation{
					Competency: e.GetCompetency(), Description: e.GetDescription(), Examples: e.GetExamples(),
				})
			}
			st.Levels = append(st.Levels, sl)
		}
		c.Tracks = append(c.Tracks, st)
	}
	return c
}
