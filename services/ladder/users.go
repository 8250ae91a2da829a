package ladder

import (
	"context"
	"errors"
	"net/mail"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	"github.com/yardstick-dev/yardstick/pkg/fieldcheck"
	"github.com/yardstick-dev/yardstick/pkg/mongodb"
	"github.com/yardstick-dev/yardstick/pkg/paging"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	"github.com/yardstick-dev/yardstick/pkg/protoconv"
	"github.com/yardstick-dev/yardstick/pkg/versioned"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// The people directory: who a users/{user} reference is. Entries are keyed
// by their name, so every read a page makes is a point lookup by _id; the
// directory is versioned like everything else (etag, change history).

// Users keeps the directory.
type Users = versioned.Store[person]

// person is a directory entry's document.
type person struct {
	DisplayName string `bson:"display_name,omitempty"`
	Email       string `bson:"email,omitempty"`
	Title       string `bson:"title,omitempty"`
	Manager     string `bson:"manager,omitempty"`
	Framework   string `bson:"framework,omitempty"`
	Track       string `bson:"track,omitempty"`
	Level       string `bson:"level,omitempty"`
	// Deactivated people are refused on every call (the guard asks
	// Deactivated) and are not assigned interviews; their entry stays.
	Deactivated bool   `bson:"deactivated,omitempty"`
	ExternalID  string `bson:"external_id,omitempty"`
}

// NewUsers returns the directory over db.
func NewUsers(db *mongo.Database) *Users {
	return versioned.New[person](db, "users", "user_changes", versioned.Options[person]{})
}

// InitUsers creates the directory's indexes and finishes the changes a crash
// left half-written.
func InitUsers(ctx context.Context, u *Users) error {
	if err := mongodb.EnsureIndexes(ctx, u.Indexes()); err != nil {
		return err
	}
	_, err := u.Sweep(ctx)
	return err
}

const (
	usersPrefix     = "users/"
	maxPersonText   = 200
	maxEmailLen     = 254
	maxBatchOfUsers = 200
)

// GetUser returns a person of the directory.
func (s *Server) GetUser(ctx context.Context, req *ladderv1.GetUserRequest) (*ladderv1.User, error) {
	doc, err := s.users.Get(ctx, req.GetName())
	if err != nil {
		return nil, err
	}
	return userToProto(doc), nil
}

// BatchGetUsers returns the people of the request that are in the
// directory, in the request's order: one point read each.
func (s *Server) BatchGetUsers(ctx context.Context, req *ladderv1.BatchGetUsersRequest) (*ladderv1.BatchGetUsersResponse, error) {
	resp := &ladderv1.BatchGetUsersResponse{}
	seen := map[string]bool{}
	for _, name := range req.GetNames() {
		if seen[name] {
			continue
		}
		seen[name] = true
		doc, err := s.users.Get(ctx, name)
		if errors.Is(err, apierr.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		resp.Users = append(resp.Users, userToProto(doc))
	}
	return resp, nil
}

// ListUsers lists the directory in name order.
func (s *Server) ListUsers(ctx context.Context, req *ladderv1.ListUsersRequest) (*ladderv1.ListUsersResponse, error) {
	const query = "users"
	after, err := paging.Key(req.GetPageToken(), query)
	if err != nil {
		return nil, err
	}
	size := paging.Size(req.GetPageSize())
	docs, err := s.users.List(ctx, after, size+1, nil)
	if err != nil {
		return nil, err
	}
	resp := &ladderv1.ListUsersResponse{}
	for i := range docs[:min(size, len(docs))] {
		resp.Users = append(resp.Users, userToProto(&docs[i]))
	}
	if len(docs) > size {
		resp.NextPageToken = paging.Token(docs[size-1].Name, query)
	}
	return resp, nil
}

// userMask is what an update may name; selfService is the part of it a
// person may change in their own entry (what the identity provider says
// about them), the rest being the admins' to keep.
var (
	userMask = fieldcheck.UpdateMask{
		Updatable: []string{"display_name", "email", "title", "manager", "framework", "track", "level", "deactivated", "external_id"},
		Ignored:   map[string]bool{"name": true, "etag": true, "create_time": true, "update_time": true},
	}
	selfService = []string{"display_name", "email"}
)

// UpdateUser changes a person's entry: any field for admins, their own
// name and email for a person; allow_missing adds an entry.
func (s *Server) UpdateUser(ctx context.Context, req *ladderv1.UpdateUserRequest) (*ladderv1.User, error) {
	in := req.GetUser()
	name := in.GetName()
	if !fieldcheck.UserNamePattern.MatchString(name) {
		return nil, apierr.Invalid("user.name", "must name a user: users/{user}, the token's subject")
	}
	paths, err := userMask.Paths(req.GetUpdateMask().GetPaths(), func(field string) bool { return userFieldSet(in, field) })
	if err != nil {
		return nil, err
	}
	// Provisioning (SCIM) keeps the directory for the identity provider:
	// it may change every field, as admins do.
	if !principal.Has(ctx, principal.Admin) && !principal.Has(ctx, principal.Provisioner) {
		if principal.User(ctx) != name {
			return nil, apierr.New(apierr.ErrPermissionDenied, "only admins change another person's entry")
		}
		for _, p := range paths {
			if !slices.Contains(selfService, p) {
				return nil, apierr.New(apierr.ErrPermissionDenied, "only admins change "+p+": you may change your display_name and email")
			}
		}
	}
	next := userFromProto(in)
	if err := validatePerson(next, paths); err != nil {
		return nil, err
	}
	exists := versioned.MustExist
	if req.GetAllowMissing() {
		exists = versioned.MayExist
	}
	doc, err := s.users.Apply(ctx, name, principal.User(ctx), versioned.Expect{ETag: in.GetEtag(), Exists: exists}, func(cur *versioned.Doc[person]) (versioned.Edit[person], error) {
		kind, data := "update", person{}
		if !cur.Live() {
			kind = "create"
		} else {
			data = cur.Data
		}
		before := data
		for _, p := range paths {
			setPersonField(&data, next, p)
		}
		changed := changedPersonFields(before, data)
		if cur.Live() && len(changed) == 0 {
			return versioned.Edit[person]{Unchanged: true}, nil
		}
		return versioned.Edit[person]{Kind: kind, Fields: changed, Data: data}, nil
	})
	if err != nil {
		return nil, err
	}
	return userToProto(doc), nil
}

// validatePerson checks the fields an update sets.
func validatePerson(p person, paths []string) error {
	var v apierr.Violations
	for _, f := range paths {
		switch field := "user." + f; f {
		case "display_name":
			fieldcheck.Text(&v, field, p.DisplayName, maxPersonText, false)
		case "title":
			fieldcheck.Text(&v, field, p.Title, maxPersonText, false)
		case "external_id":
			fieldcheck.Text(&v, field, p.ExternalID, maxPersonText, false)
		case "email":
			if p.Email == "" {
				continue
			}
			if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email || len(p.Email) > maxEmailLen {
				v.Add(field, "must be an address like name@example.com, at most %d characters", maxEmailLen)
			}
		case "manager":
			if p.Manager != "" && !fieldcheck.UserNamePattern.MatchString(p.Manager) {
				v.Add(field, "must name a user: users/{user}")
			}
		case "framework":
			if id, ok := strings.CutPrefix(p.Framework, frameworksPrefix); p.Framework != "" && (!ok || !fieldcheck.IDPattern.MatchString(id)) {
				v.Add(field, "must name a framework: frameworks/{framework}")
			}
		case "track", "level":
			if s := personField(p, f); s != "" && !fieldcheck.IDPattern.MatchString(s) {
				v.Add(field, "must be an ID of the framework: lower-case letters, digits and hyphens")
			}
		}
	}
	return v.Err()
}

func personField(p person, f string) string {
	switch f {
	case "display_name":
		return p.DisplayName
	case "email":
		return p.Email
	case "title":
		return p.Title
	case "manager":
		return p.Manager
	case "framework":
		return p.Framework
	case "track":
		return p.Track
	case "level":
		return p.Level
	case "deactivated":
		if p.Deactivated {
			return "true"
		}
	case "external_id":
		return p.ExternalID
	}
	return ""
}

func setPersonField(p *person, from person, f string) {
	switch f {
	case "display_name":
		p.DisplayName = from.DisplayName
	case "email":
		p.Email = from.Email
	case "title":
		p.Title = from.Title
	case "manager":
		p.Manager = from.Manager
	case "framework":
		p.Framework = from.Framework
	case "track":
		p.Track = from.Track
	case "level":
		p.Level = from.Level
	case "deactivated":
		p.Deactivated = from.Deactivated
	case "external_id":
		p.ExternalID = from.ExternalID
	}
}

func changedPersonFields(before, after person) []string {
	var out []string
	for _, f := range userMask.Updatable {
		if personField(before, f) != personField(after, f) {
			out = append(out, f)
		}
	}
	return out
}

func userFieldSet(u *ladderv1.User, f string) bool {
	return personField(userFromProto(u), f) != ""
}

func userFromProto(u *ladderv1.User) person {
	return person{
		DisplayName: strings.TrimSpace(u.GetDisplayName()), Email: strings.TrimSpace(u.GetEmail()), Title: strings.TrimSpace(u.GetTitle()),
		Manager: u.GetManager(), Framework: u.GetFramework(), Track: u.GetTrack(), Level: u.GetLevel(),
		Deactivated: u.GetDeactivated(), ExternalID: strings.TrimSpace(u.GetExternalId()),
	}
}

func userToProto(d *versioned.Doc[person]) *ladderv1.User {
	p := d.Data
	return &ladderv1.User{
		Name: d.Name, DisplayName: p.DisplayName, Email: p.Email, Title: p.Title, Manager: p.Manager,
		Framework: p.Framework, Track: p.Track, Level: p.Level, Deactivated: p.Deactivated, ExternalId: p.ExternalID,
		CreateTime: protoconv.OptionalTime(d.CreateTime), UpdateTime: protoconv.OptionalTime(d.UpdateTime), Etag: d.ETag(),
	}
}

// Deactivated reports whether the directory holds subject as deactivated:
// one read by _id, of the entry as stored (no roll-forward: a deactivation
// is acknowledged only once it is stored). Someone not in the directory is
// not deactivated: tokens name people the directory may not list.
func Deactivated(ctx context.Context, users *Users, subject string) (bool, error) {
	doc, err := users.Stored(ctx, subject)
	if err != nil {
		return false, err
	}
	return doc.Live() && doc.Data.Deactivated, nil
}
