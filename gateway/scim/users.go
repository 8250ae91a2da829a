package scim

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"

	scimlib "github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/optional"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// userID is what the directory accepts after users/.
var userID = regexp.MustCompile(`^[A-Za-z0-9._@+|:-]{1,128}$`)

// user is a SCIM User as the directory keeps it.
type user struct {
	id          string // userName too
	displayName string
	givenName   string
	familyName  string
	email       string
	title       string
	active      bool
	externalID  string
}

// fields are the directory fields a SCIM user sets: a replace sets all of
// them (what it leaves out is emptied, RFC 7644 3.5.1).
var fields = []string{"display_name", "email", "title", "deactivated", "external_id"}

func fromDirectory(u *ladderv1.User) user {
	given, family, _ := strings.Cut(u.GetDisplayName(), " ")
	return user{
		id: strings.TrimPrefix(u.GetName(), "users/"), displayName: u.GetDisplayName(), givenName: given, familyName: family,
		email: u.GetEmail(), title: u.GetTitle(), active: !u.GetDeactivated(), externalID: u.GetExternalId(),
	}
}

func (u user) toDirectory(etag string) *ladderv1.User {
	name := u.displayName
	if name == "" {
		name = strings.TrimSpace(u.givenName + " " + u.familyName)
	}
	return &ladderv1.User{
		Name: "users/" + u.id, DisplayName: name, Email: u.email, Title: u.title,
		Deactivated: !u.active, ExternalId: u.externalID, Etag: etag,
	}
}

func (u user) resource(d *ladderv1.User) scimlib.Resource {
	attrs := scimlib.ResourceAttributes{"userName": u.id, "active": u.active}
	if u.displayName != "" {
		attrs["displayName"] = u.displayName
		attrs["name"] = map[string]any{"formatted": u.displayName, "givenName": u.givenName, "familyName": u.familyName}
	}
	if u.email != "" {
		attrs["emails"] = []any{map[string]any{"value": u.email, "type": "work", "primary": true}}
	}
	if u.title != "" {
		attrs["title"] = u.title
	}
	r := scimlib.Resource{ID: u.id, Attributes: attrs, Meta: scimlib.Meta{Version: `W/"` + d.GetEtag() + `"`}}
	if u.externalID != "" {
		r.ExternalID = optional.NewString(u.externalID)
	}
	if t := d.GetCreateTime(); t != nil {
		at := t.AsTime()
		r.Meta.Created = &at
	}
	if t := d.GetUpdateTime(); t != nil {
		at := t.AsTime()
		r.Meta.LastModified = &at
	}
	return r
}

// fromAttributes reads a created or replaced user; active defaults to true.
func fromAttributes(attrs scimlib.ResourceAttributes) (user, error) {
	u := user{active: true}
	for k, v := range attrs {
		if err := u.set(k, "", v); err != nil {
			return u, err
		}
	}
	if !userID.MatchString(u.id) {
		e := scimerrors.ScimErrorInvalidValue
		e.Detail = "userName must be the subject of the person's tokens: 1-128 letters, digits, '.', '_', '@', '+', '|', ':' or '-'"
		return u, e
	}
	return u, nil
}

// set sets one attribute (sub: its sub-attribute, for a patch path).
func (u *user) set(attr, sub string, v any) error {
	str, _ := v.(string)
	switch attr = strings.ToLower(attr); {
	case attr == "username":
		if u.id != "" && str != u.id {
			e := scimerrors.ScimErrorMutability
			e.Detail = "userName is the subject of the person's tokens and cannot change: provision a new user"
			return e
		}
		u.id = str
	case attr == "displayname":
		u.displayName = str
	case attr == "title":
		u.title = str
	case attr == "externalid":
		u.externalID = str
	case attr == "active":
		if b, ok := v.(bool); ok {
			u.active = b
		}
	case attr == "name" && sub != "":
		u.setName(sub, str)
	case attr == "name":
		if m, ok := v.(map[string]any); ok {
			for k, x := range m {
				s, _ := x.(string)
				u.setName(k, s)
			}
		}
	case strings.HasPrefix(attr, "name."):
		u.setName(strings.TrimPrefix(attr, "name."), str)
	case attr == "emails" && sub == "value":
		u.email = str
	case attr == "emails":
		u.email = primaryEmail(v)
	case strings.HasPrefix(attr, "emails[") && strings.HasSuffix(attr, ".value"):
		u.email = str // emails[type eq "work"].value: the one address kept
	}
	return nil
}

func (u *user) setName(sub, s string) {
	switch strings.ToLower(sub) {
	case "givenname":
		u.givenName = s
	case "familyname":
		u.familyName = s
	case "formatted":
		u.displayName = s
	}
	if u.displayName == "" || strings.ToLower(sub) != "formatted" {
		if full := strings.TrimSpace(u.givenName + " " + u.familyName); full != "" {
			u.displayName = full
		}
	}
}

// primaryEmail picks the primary address of a SCIM emails list, else the
// first.
func primaryEmail(v any) string {
	list, _ := v.([]any)
	first := ""
	for _, x := range list {
		m, _ := x.(map[string]any)
		s, _ := m["value"].(string)
		if first == "" {
			first = s
		}
		if p, _ := m["primary"].(bool); p {
			return s
		}
	}
	return first
}

// users is the SCIM handler of the User resource.
type users struct {
	ladder ladderv1.LadderServiceClient
}

func (h *users) get(r *http.Request, id string) (*ladderv1.User, error) {
	if !userID.MatchString(id) {
		return nil, scimerrors.ScimErrorResourceNotFound(id)
	}
	d, err := h.ladder.GetUser(callContext(r), &ladderv1.GetUserRequest{Name: "users/" + id})
	if err != nil {
		return nil, scimError(err, id)
	}
	return d, nil
}

// Create adds a user; one the directory has already is a uniqueness error.
func (h *users) Create(r *http.Request, attrs scimlib.ResourceAttributes) (scimlib.Resource, error) {
	u, err := fromAttributes(attrs)
	if err != nil {
		return scimlib.Resource{}, err
	}
	if _, err := h.get(r, u.id); err == nil {
		e := scimerrors.ScimErrorUniqueness
		e.Detail = "a user with this userName exists: " + u.id
		return scimlib.Resource{}, e
	}
	return h.save(r, u, "", true)
}

func (h *users) save(r *http.Request, u user, etag string, create bool) (scimlib.Resource, error) {
	d, err := h.ladder.UpdateUser(callContext(r), &ladderv1.UpdateUserRequest{
		User: u.toDirectory(etag), UpdateMask: &fieldmaskpb.FieldMask{Paths: fields}, AllowMissing: create,
	})
	if err != nil {
		return scimlib.Resource{}, scimError(err, u.id)
	}
	return fromDirectory(d).resource(d), nil
}

// Get returns a user.
func (h *users) Get(r *http.Request, id string) (scimlib.Resource, error) {
	d, err := h.get(r, id)
	if err != nil {
		return scimlib.Resource{}, err
	}
	return fromDirectory(d).resource(d), nil
}

// GetAll lists users. `userName eq "…"`, the filter provisioning clients
// send before a create, is one read; other filters go over the directory.
func (h *users) GetAll(r *http.Request, params scimlib.ListRequestParams) (scimlib.Page, error) {
	var all []scimlib.Resource
	if id, ok := userNameEquals(params); ok {
		d, err := h.get(r, id)
		if err == nil {
			all = append(all, fromDirectory(d).resource(d))
		} else if e, isScim := err.(scimerrors.ScimError); !isScim || e.Status != http.StatusNotFound {
			return scimlib.Page{}, err
		}
	} else {
		token := ""
		for {
			resp, err := h.ladder.ListUsers(callContext(r), &ladderv1.ListUsersRequest{PageSize: 1000, PageToken: token})
			if err != nil {
				return scimlib.Page{}, scimError(err, "")
			}
			for _, d := range resp.GetUsers() {
				res := fromDirectory(d).resource(d)
				if params.FilterValidator == nil || params.FilterValidator.PassesFilter(withCommon(res)) == nil {
					all = append(all, res)
				}
			}
			if token = resp.GetNextPageToken(); token == "" {
				break
			}
		}
	}
	page := scimlib.Page{TotalResults: len(all), Resources: []scimlib.Resource{}}
	start := max(params.StartIndex, 1) - 1
	if start < len(all) {
		page.Resources = all[start:min(len(all), start+max(params.Count, 0))]
	}
	return page, nil
}

// withCommon adds id and externalId to the attributes a filter sees.
func withCommon(r scimlib.Resource) map[string]any {
	m := map[string]any{"id": r.ID}
	for k, v := range r.Attributes {
		m[k] = v
	}
	if r.ExternalID.Present() {
		m["externalId"] = r.ExternalID.Value()
	}
	return m
}

// userNameEquals recognises the filter `userName eq "x"`.
func userNameEquals(params scimlib.ListRequestParams) (string, bool) {
	if params.FilterValidator == nil {
		return "", false
	}
	f := fmt.Sprint(params.FilterValidator.GetFilter())
	name, value, ok := strings.Cut(f, " eq ")
	if !ok || !strings.EqualFold(strings.TrimSpace(name), "userName") {
		return "", false
	}
	value = strings.TrimSpace(value)
	if len(value) < 2 || value[0] != '"' || value[len(value)-1] != '"' || strings.ContainsAny(value[1:len(value)-1], `"`) {
		return "", false
	}
	return value[1 : len(value)-1], true
}

// Replace sets every field of a user.
func (h *users) Replace(r *http.Request, id string, attrs scimlib.ResourceAttributes) (scimlib.Resource, error) {
	d, err := h.get(r, id)
	if err != nil {
		return scimlib.Resource{}, err
	}
	if _, ok := attrs["userName"]; !ok {
		attrs["userName"] = id
	}
	u, err := fromAttributes(attrs)
	if err != nil {
		return scimlib.Resource{}, err
	}
	if u.id != id {
		e := scimerrors.ScimErrorMutability
		e.Detail = "userName cannot change"
		return scimlib.Resource{}, e
	}
	return h.save(r, u, d.GetEtag(), false)
}

// Patch applies add, replace and remove operations to a user.
func (h *users) Patch(r *http.Request, id string, ops []scimlib.PatchOperation) (scimlib.Resource, error) {
	d, err := h.get(r, id)
	if err != nil {
		return scimlib.Resource{}, err
	}
	u := fromDirectory(d)
	for _, op := range ops {
		value := op.Value
		if strings.EqualFold(op.Op, "remove") {
			value = ""
		}
		if op.Path == nil {
			m, _ := value.(map[string]any)
			for k, v := range m {
				if err := u.set(k, "", v); err != nil {
					return scimlib.Resource{}, err
				}
			}
			continue
		}
		attr, sub := op.Path.AttributePath.AttributeName, ""
		if s := op.Path.AttributePath.SubAttribute; s != nil {
			sub = *s
		}
		if op.Path.SubAttribute != nil {
			sub = *op.Path.SubAttribute
		}
		if err := u.set(attr, sub, value); err != nil {
			return scimlib.Resource{}, err
		}
	}
	return h.save(r, u, d.GetEtag(), false)
}

// Delete deactivates a user: their entry stays, so that the scorecards
// they wrote still show their name.
func (h *users) Delete(r *http.Request, id string) error {
	d, err := h.get(r, id)
	if err != nil {
		return err
	}
	u := fromDirectory(d)
	u.active = false
	_, err = h.save(r, u, d.GetEtag(), false)
	return err
}
