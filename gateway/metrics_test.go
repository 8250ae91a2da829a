package gateway_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/yardstick-dev/yardstick/gateway"
)

// TestMetricsByRoutePattern sends real HTTP requests and scrapes the
// registry: API requests are counted under the route pattern they matched
// (refusals on a matched route included), the fixed routes under their path,
// and anything else under "unmatched" — never under a raw path.
func TestMetricsByRoutePattern(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := startGateway(t, gateway.Options{Metrics: reg, MaxBodyBytes: 4096})
	c.expect(200, "POST", "/v1/frameworks?framework_id=eng", tiny)
	c.expect(200, "GET", "/v1/frameworks", "")
	c.expect(200, "GET", "/v1/frameworks/eng", "")
	c.expect(404, "GET", "/v1/frameworks/ghost", "")
	c.expect(200, "POST", "/v1/frameworks/eng:publish", `{}`)
	c.expect(413, "POST", "/v1/frameworks?framework_id=big", `{"title":"`+strings.Repeat("x", 5000)+`"}`)
	c.as("").expect(401, "GET", "/v1/frameworks?access_token=x", "")
	c.expect(200, "GET", "/healthz", "")
	c.expect(200, "GET", "/openapi.json", "")
	c.expect(404, "GET", "/v1/no/such/route", "")
	c.expect(404, "GET", "/secret-admin-page", "")

	want := map[string]float64{
		"POST /v1/frameworks 200":                  1,
		"GET /v1/frameworks 200":                   1,
		"GET /v1/{name=frameworks/*} 200":          1,
		"GET /v1/{name=frameworks/*} 404":          1,
		"POST /v1/{name=frameworks/*}:publish 200": 1,
		"POST /v1/frameworks 413":                  1,
		"GET /v1/frameworks 401":                   1,
		"GET /healthz 200":                         1,
		"GET /openapi.json 200":                    1,
		"GET unmatched 404":                        2,
	}
	if diff := settle(func() string { return cmp.Diff(want, scrapeRequests(t, reg)) }); diff != "" {
		t.Errorf("yardstick_gateway_requests_total by route (-want +got):\n%s", diff)
	}
}

// scrapeRequests gathers the registry and returns the request counter as
// "METHOD route code" → count.
func scrapeRequests(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "yardstick_gateway_requests_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			got[strings.ToUpper(labels["method"])+" "+labels["route"]+" "+labels["code"]] += m.GetCounter().GetValue()
		}
	}
	return got
}
