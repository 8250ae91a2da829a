package web_test

import (
	"net/http"
	"testing"
	"time"
)

// BenchmarkPages serves every page of the app, as the person it is for,
// over the demo data dev mode seeds, through the real gateway and services
// on the embedded store; it reports the server time and the size of each.
// Targets: under 200 ms and under 100 KB.
//
//	go test -run '^$' -bench Pages -benchtime 20x ./web/
func BenchmarkPages(b *testing.B) {
	s := startSite(b)
	pages := []struct{ who, path string }{
		{"users/erin", "/ladder"},
		{"users/erin", "/ladder/engineering?track=ic"},
		{"users/erin", "/ladder/engineering/compare?track=ic&from=l3&to=l4"},
		{"users/ivan", "/interviews"},
		{"users/omar", "/interviews/demo-linus/" + s.interviewOf(b, "demo-linus", "users/omar")},
		{"users/ivan", "/me/calibration"},
		{"users/rita", "/candidates"},
		{"users/rita", "/candidates/demo-ada"},
		{"users/rita", "/compare?role=ic"},
		{"users/rita", "/calibration"},
		{"users/rita", "/roles"},
		{"users/rita", "/roles/ic"},
		{"users/adam", "/admin"},
		{"users/adam", "/admin/rubrics/l3-coding"},
		{"users/adam", "/admin/frameworks/engineering"},
		{"users/adam", "/admin/frameworks/engineering/grid"},
		{"users/adam", "/admin/people"},
	}
	for _, p := range pages {
		br := s.as(b, p.who)
		b.Run(p.path, func(b *testing.B) {
			var size int
			var spent time.Duration
			for range b.N {
				t0 := time.Now()
				code, body := br.get(p.path)
				spent += time.Since(t0)
				if code != http.StatusOK {
					b.Fatalf("GET %s as %s = %d", p.path, p.who, code)
				}
				size = len(body)
			}
			b.ReportMetric(float64(spent.Microseconds())/1000/float64(b.N), "ms/page")
			b.ReportMetric(float64(size)/1024, "KB")
		})
	}
}
