package web

import (
	"context"
	"net/http"
	"net/url"

	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// The framework draft page: the draft as YAML to edit and save, what it
// changes against the last published revision, and publishing it.

// adminFrameworkData is the framework draft page.
type adminFrameworkData struct {
	ID            string
	Framework     *ladderv1.Framework
	Content       string // the textarea: the draft, or what the user sent
	Etag          string // the version the textarea's text is based on
	Errors        adminErrors
	ContentErrors []string // errors about the content, shown under the textarea
	Revision      string   // the revision the diff is against, "" if never published
	Diff          adminDiffView
	Theirs        *adminDiffView // on a conflict: the saved draft against the user's text
	Changes       []adminChange
}

// loadFramework reads the draft page's data. GetFramework comes before
// ExportFramework on purpose: if the draft changes between the two reads,
// the etag is the older one, and a save is refused rather than overwriting
// a change the user never saw.
func (a *App) loadFramework(ctx context.Context, id string) (adminFrameworkData, error) {
	name := "frameworks/" + id
	d := adminFrameworkData{ID: id}
	fw, err := a.ladder.GetFramework(ctx, &ladderv1.GetFrameworkRequest{Name: name})
	if err != nil {
		return d, err
	}
	d.Framework, d.Etag = fw, fw.GetEtag()
	draft, err := a.ladder.ExportFramework(ctx, &ladderv1.ExportFrameworkRequest{Name: name})
	if err != nil {
		return d, err
	}
	d.Content = draft.GetContent()
	published := ""
	if d.Revision = fw.GetLatestRevision(); d.Revision != "" {
		rev, err := a.ladder.ExportFramework(ctx, &ladderv1.ExportFrameworkRequest{Name: d.Revision})
		if err != nil {
			return d, err
		}
		published = rev.GetContent()
	}
	d.Diff = newAdminDiffView(published, d.Content)
	d.Diff.Name = "The draft against the latest revision, line by line"
	if d.Changes, err = a.frameworkChanges(ctx, name, 10); err != nil {
		return d, err
	}
	return d, nil
}

func (a *App) adminFrameworkPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := a.call(r, s)
	defer cancel()
	d, err := a.loadFramework(ctx, r.PathValue("id"))
	if err != nil {
		a.failErr(w, s, err)
		return
	}
	a.render(w, s, http.StatusOK, "admin_framework", "Framework draft: "+d.Framework.GetTitle(), d)
}

// adminFrameworkSave replaces the draft with the YAML sent, if the draft is
// still the version the user edited.
func (a *App) adminFrameworkSave(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	content, etag := adminText(r.PostFormValue("content")), r.PostFormValue("etag")
	ctx, cancel := a.call(r, s)
	defer cancel()
	_, err := a.ladder.ImportFramework(ctx, &ladderv1.ImportFrameworkRequest{FrameworkId: id, Content: content, Etag: etag})
	if err == nil {
		a.adminRedirect(w, r, "/admin/frameworks/"+url.PathEscape(id), "Draft saved.")
		return
	}
	a.renderFrameworkError(w, r, s, id, err, content, etag)
}

// adminFrameworkPublish publishes the draft as the user last saw it.
func (a *App) adminFrameworkPublish(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	if r.PostFormValue("confirm") == "" {
		// Publishing changes what every engineer reads: it takes a look
		// at the changes, and a tick.
		a.renderFrameworkError(w, r, s, id, formError("confirm", "Check the changes above, then tick the box to publish them."), "", r.PostFormValue("etag"))
		return
	}
	ctx, cancel := a.call(r, s)
	defer cancel()
	rev, err := a.ladder.PublishFramework(ctx, &ladderv1.PublishFrameworkRequest{Name: "frameworks/" + id, Etag: r.PostFormValue("etag")})
	if err == nil {
		a.adminRedirect(w, r, "/admin/frameworks/"+url.PathEscape(id), "Published "+rev.GetName()+".")
		return
	}
	a.renderFrameworkError(w, r, s, id, err, "", r.PostFormValue("etag"))
}

// renderFrameworkError re-renders the draft page after a refused post,
// keeping the user's text (content, when they sent one). On a conflict the
// page shows what is saved now against their text, and carries the new
// etag: saving again is then a decision taken with the difference in view.
func (a *App) renderFrameworkError(w http.ResponseWriter, r *http.Request, s *session, id string, err error, content, etag string) {
	errs, status := adminErrorsOf(err)
	ctx, cancel := a.call(r, s)
	defer cancel()
	d, lerr := a.loadFramework(ctx, id)
	if lerr != nil {
		a.failErr(w, s, lerr)
		return
	}
	d.Errors = errs
	d.ContentErrors = adminFieldsUnder(errs.Fields, "content", "framework_id", "etag")
	if content != "" {
		if errs.Conflict {
			theirs := newAdminDiffView(d.Content, content)
			theirs.Name = "The saved draft against your text, line by line"
			d.Theirs = &theirs
		} else {
			d.Etag = etag
		}
		d.Content = content
	}
	a.render(w, s, status, "admin_framework", "Framework draft: "+d.Framework.GetTitle(), d)
}
