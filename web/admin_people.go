package web

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"google.golang.org/protobuf/types/known/fieldmaskpb"

	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// The people directory, for admins: who everyone is, their title and
// manager, and an engineer's place on a ladder (which the ladder opens
// at). Names and emails come from the identity provider at sign-in; an
// admin corrects them here.

func (a *App) routesAdminPeople() {
	a.mux.HandleFunc("GET /admin/people", a.page(a.adminPeoplePage))
	a.mux.HandleFunc("GET /admin/people/{user}", a.page(a.adminPersonPage))
	a.mux.HandleFunc("POST /admin/people/{user}", a.form(a.adminPersonSave))
}

type adminPeopleData struct {
	People []adminPersonRow
}

type adminPersonRow struct {
	ID, Name, Title, Manager, Level string
	Deactivated                     bool
}

func (a *App) adminPeoplePage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := a.call(r, s)
	defer cancel()
	users, byName, err := a.everyone(ctx)
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	levels, err := a.levelChoices(ctx, "")
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	var d adminPeopleData
	for _, u := range users {
		row := adminPersonRow{ID: strings.TrimPrefix(u.GetName(), "users/"), Name: byName.of(u.GetName()), Title: u.GetTitle(), Deactivated: u.GetDeactivated()}
		if u.GetManager() != "" {
			row.Manager = byName.of(u.GetManager())
		}
		for _, l := range levels {
			if l.ID == levelKey(u) {
				row.Level = l.Title
			}
		}
		d.People = append(d.People, row)
	}
	sort.Slice(d.People, func(i, j int) bool { return strings.ToLower(d.People[i].Name) < strings.ToLower(d.People[j].Name) })
	a.render(w, s, http.StatusOK, "admin_people", "People", d)
}

// adminPersonData is one person's form.
type adminPersonData struct {
	ID, Etag                  string
	DisplayName, Email, Title string
	Deactivated               bool
	Managers, Levels          []roleOption
	Errors                    adminErrors
}

// levelKey is a person's place on a ladder as one choice:
// "frameworks/{f}|{track}|{level}".
func levelKey(u *ladderv1.User) string {
	if u.GetFramework() == "" {
		return ""
	}
	return u.GetFramework() + "|" + u.GetTrack() + "|" + u.GetLevel()
}

// levelChoices lists every level of every published framework.
func (a *App) levelChoices(ctx context.Context, selected string) ([]roleOption, error) {
	fws, err := a.ladderFrameworks(ctx)
	if err != nil {
		return nil, err
	}
	var out []roleOption
	for _, fw := range fws {
		for _, t := range fw.GetTracks() {
			for _, l := range t.GetLevels() {
				key := fw.GetName() + "|" + t.GetId() + "|" + l.GetId()
				out = append(out, roleOption{ID: key, Title: fw.GetTitle() + ": " + t.GetTitle() + ", " + l.GetTitle(), Selected: key == selected})
			}
		}
	}
	return out, nil
}

// personFormFields are the directory fields the person form sets.
var personFormFields = []string{"display_name", "email", "title", "manager", "framework", "track", "level", "deactivated"}

func (a *App) loadPerson(ctx context.Context, id string) (adminPersonData, error) {
	name := "users/" + id
	u, err := a.ladder.GetUser(ctx, &ladderv1.GetUserRequest{Name: name})
	if err != nil {
		return adminPersonData{}, err
	}
	d := adminPersonData{ID: id, Etag: u.GetEtag(), DisplayName: u.GetDisplayName(), Email: u.GetEmail(), Title: u.GetTitle(),
		Deactivated: u.GetDeactivated()}
	if d.Levels, err = a.levelChoices(ctx, levelKey(u)); err != nil {
		return d, err
	}
	users, byName, err := a.everyone(ctx)
	if err != nil {
		return d, err
	}
	for _, other := range users {
		if other.GetName() != name {
			d.Managers = append(d.Managers, roleOption{ID: other.GetName(), Title: byName.of(other.GetName()), Selected: other.GetName() == u.GetManager()})
		}
	}
	sort.Slice(d.Managers, func(i, j int) bool { return d.Managers[i].Title < d.Managers[j].Title })
	return d, nil
}

func (a *App) adminPersonPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := a.call(r, s)
	defer cancel()
	d, err := a.loadPerson(ctx, r.PathValue("user"))
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	a.render(w, s, http.StatusOK, "admin_person", "Person: "+d.DisplayName, d)
}

// adminPersonSave writes every field of the form, with the etag the form
// was read at.
func (a *App) adminPersonSave(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("user")
	u := &ladderv1.User{
		Name: "users/" + id, Etag: r.PostFormValue("etag"),
		DisplayName: strings.TrimSpace(r.PostFormValue("display_name")), Email: strings.TrimSpace(r.PostFormValue("email")),
		Title: strings.TrimSpace(r.PostFormValue("title")), Manager: r.PostFormValue("manager"),
		Deactivated: r.PostFormValue("deactivated") == "on",
	}
	if parts := strings.Split(r.PostFormValue("level"), "|"); len(parts) == 3 {
		u.Framework, u.Track, u.Level = parts[0], parts[1], parts[2]
	}
	ctx, cancel := a.call(r, s)
	defer cancel()
	// The form's fields, not "*": the identity provider's ID (SCIM) is not
	// on the form and must stay.
	_, err := a.ladder.UpdateUser(ctx, &ladderv1.UpdateUserRequest{User: u, UpdateMask: &fieldmaskpb.FieldMask{Paths: personFormFields}})
	if err == nil {
		a.people.forget(u.GetName())
		a.adminRedirect(w, r, "/admin/people/"+url.PathEscape(id), "Saved.")
		return
	}
	d, lerr := a.loadPerson(ctx, id)
	if lerr != nil {
		a.failErr(w, s, lerr)
		return
	}
	var status int
	d.Errors, status = adminErrorsOf(err)
	if !d.Errors.Conflict {
		d.Etag = u.GetEtag()
	}
	// What was typed, not what is saved.
	d.DisplayName, d.Email, d.Title, d.Deactivated = u.GetDisplayName(), u.GetEmail(), u.GetTitle(), u.GetDeactivated()
	a.render(w, s, status, "admin_person", "Person: "+d.DisplayName, d)
}
