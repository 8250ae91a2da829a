package rubric

import (
	"strconv"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/yardstick-dev/yardstick/pkg/protoconv"
	"github.com/yardstick-dev/yardstick/pkg/publishing"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// kindDerive is the rubric's own change kind, beside publishing's.
const kindDerive = "derive"

var changeKinds = map[string]rubricv1.Change_Kind{
	publishing.KindCreate:  rubricv1.Change_KIND_CREATE,
	publishing.KindUpdate:  rubricv1.Change_KIND_UPDATE,
	publishing.KindPublish: rubricv1.Change_KIND_PUBLISH,
	publishing.KindDelete:  rubricv1.Change_KIND_DELETE,
	kindDerive:             rubricv1.Change_KIND_DERIVE,
	kindRederive:           rubricv1.Change_KIND_REDERIVE,
}

func draftToProto(doc *versioned.Doc[draft]) *rubricv1.Rubric {
	r := contentToProto(doc.Data.Content)
	r.Name = doc.Name
	r.Etag = doc.ETag()
	r.UnpublishedChanges = doc.Data.Unpublished
	r.LatestRevision = publishing.LatestRevisionName(doc.Name, &doc.Data)
	r.CreateTime = timestamppb.New(doc.CreateTime)
	r.UpdateTime = timestamppb.New(doc.UpdateTime)
	r.PublishTime = protoconv.OptionalTime(doc.Data.PublishTime)
	if c := publishing.StampedChange(doc); c != nil {
		r.LastChange = changeToProto(c)
	}
	return r
}

// snapshotOf is the rubric as a revision froze it.
func snapshotOf(rev *revision) *rubricv1.Rubric {
	r := contentToProto(rev.Content)
	r.Name = rev.Parent
	r.CreateTime = timestamppb.New(rev.CreateTime)
	r.UpdateTime = timestamppb.New(rev.PublishTime)
	r.PublishTime = timestamppb.New(rev.PublishTime)
	return r
}

// latestSnapshot is what a non-admin reads as the rubric: the snapshot of
// its latest revision, naming that revision.
func latestSnapshot(rev *revision) *rubricv1.Rubric {
	r := snapshotOf(rev)
	r.LatestRevision = rev.Name
	return r
}

func revisionToProto(rev *revision) *rubricv1.RubricRevision {
	return &rubricv1.RubricRevision{
		Name:       rev.Name,
		Snapshot:   snapshotOf(rev),
		CreateTime: timestamppb.New(rev.PublishTime),
		Etag:       rev.ETag(),
	}
}

func changeToProto(c *versioned.Change[draft]) *rubricv1.Change {
	return &rubricv1.Change{
		Name:          c.Resource + "/changes/" + strconv.FormatInt(c.Version, 10),
		Version:       c.Version,
		Kind:          changeKinds[c.Kind],
		Actor:         c.Actor,
		CreateTime:    timestamppb.New(c.Time),
		ChangedFields: c.Fields,
		Revision:      publishing.ChangeRevision(c),
	}
}

func contentToProto(c content) *rubricv1.Rubric {
	r := &rubricv1.Rubric{
		Title: c.Title, Description: c.Description, Role: c.Role, Level: c.Level, InterviewType: c.InterviewType,
		Scale: &rubricv1.Scale{Min: c.Scale.Min, Max: c.Scale.Max},
	}
	for _, l := range c.Scale.Labels {
		r.Scale.Labels = append(r.Scale.Labels, &rubricv1.ScaleLabel{Score: l.Score, Label: l.Label})
	}
	for _, comp := range c.Competencies {
		pc := &rubricv1.Competency{
			Id: comp.ID, Title: comp.Title, Description: comp.Description,
			Weight: comp.Weight, EvidenceRequired: comp.EvidenceRequired,
		}
		for _, q := range comp.Questions {
			pc.Questions = append(pc.Questions, &rubricv1.Question{Text: q.Text, FollowUps: q.FollowUps, WhatGoodLooksLike: q.WhatGoodLooksLike})
		}
		for _, a := range comp.Anchors {
			pc.Anchors = append(pc.Anchors, &rubricv1.Anchor{Score: a.Score, Description: a.Description, Derived: a.Derived})
		}
		r.Competencies = append(r.Competencies, pc)
	}
	if s := c.Source; s != nil {
		r.Source = &rubricv1.Source{FrameworkRevision: s.FrameworkRevision, Track: s.Track, Level: s.Level}
	}
	return r
}

// contentFromProto reads the editable content of a message. Output-only
// fields (source, the anchors' derived marks) are not read: the server
// keeps them (see keepDerivedMarks).
func contentFromProto(r *rubricv1.Rubric) content {
	c := content{
		Title: r.GetTitle(), Description: r.GetDescription(), Role: r.GetRole(), Level: r.GetLevel(),
		InterviewType: r.GetInterviewType(), Competencies: []competency{},
		Scale: scale{Min: r.GetScale().GetMin(), Max: r.GetScale().GetMax()},
	}
	for _, l := range r.GetScale().GetLabels() {
		c.Scale.Labels = append(c.Scale.Labels, scaleLabel{Score: l.GetScore(), Label: l.GetLabel()})
	}
	for _, pc := range r.GetCompetencies() {
		comp := competency{
			ID: pc.GetId(), Title: pc.GetTitle(), Description: pc.GetDescription(),
			Weight: pc.GetWeight(), EvidenceRequired: pc.GetEvidenceRequired(), Anchors: []anchor{},
		}
		if comp.Weight == 0 {
			comp.Weight = 1 // not set
		}
		for _, q := range pc.GetQuestions() {
			comp.Questions = append(comp.Questions, question{Text: q.GetText(), FollowUps: q.GetFollowUps(), WhatGoodLooksLike: q.GetWhatGoodLooksLike()})
		}
		for _, a := range pc.GetAnchors() {
			comp.Anchors = append(comp.Anchors, anchor{Score: a.GetScore(), Description: a.GetDescription()})
		}
		c.Competencies = append(c.Competencies, comp)
	}
	return c
}

// keepDerivedMarks carries the derived marks and the source of before over
// to next: an anchor stays derived while its wording is the derived one.
func keepDerivedMarks(before, next *content) {
	next.Source = before.Source
	derived := map[string]map[int32]string{} // competency → score → derived wording
	for _, c := range before.Competencies {
		for _, a := range c.Anchors {
			if a.Derived {
				if derived[c.ID] == nil {
					derived[c.ID] = map[int32]string{}
				}
				derived[c.ID][a.Score] = a.Description
			}
		}
	}
	for ci := range next.Competencies {
		c := &next.Competencies[ci]
		for ai := range c.Anchors {
			a := &c.Anchors[ai]
			if d, ok := derived[c.ID][a.Score]; ok && d == a.Description {
				a.Derived = true
			}
		}
	}
}
