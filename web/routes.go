package web

import "net/http"

// routes registers every page. Each group of pages registers its own.
func (a *App) routes() {
	a.routesSignIn()
	a.routesLadder()
	a.routesAdmin()
	a.routesInterviewer()
	a.routesDebrief()
	a.routesDecision()
	a.routesCompliance()
	a.routesGrowth()
	a.routesClosedLoop()
	a.routesHire()
	a.routesRoles()
	a.mux.HandleFunc("GET /{$}", a.page(a.home))
	a.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		a.fail(w, a.currentSession(w, r), apiError{status: http.StatusNotFound, message: "There is no such page."})
	})
}

// home sends each person where their work is.
func (a *App) home(w http.ResponseWriter, r *http.Request, s *session) {
	a.render(w, s, http.StatusOK, "home", "Home", nil)
}
