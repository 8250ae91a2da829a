package mongodb

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// The pool's metrics follow the driver's pool: a command checks a
// connection out and back in, and the embedded store's cap is reported.
func TestPoolMetrics(t *testing.T) {
	ctx := context.Background()
	conn, err := Open(ctx, Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	reg := prometheus.NewRegistry()
	if err := conn.RegisterMetrics(reg); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Client.Database("d").Collection("c").InsertOne(ctx, bson.D{{Key: "_id", Value: "x"}}); err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			switch {
			case m.GetGauge() != nil:
				got[mf.GetName()] += m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				got[mf.GetName()] += float64(m.GetHistogram().GetSampleCount())
			case m.GetCounter() != nil:
				got[mf.GetName()] += m.GetCounter().GetValue()
			}
		}
	}
	checks := []struct {
		name string
		ok   func(float64) bool
		want string
	}{
		{"yardstick_mongodb_pool_connections", func(v float64) bool { return v >= 1 }, ">= 1"},
		{"yardstick_mongodb_pool_connections_in_use", func(v float64) bool { return v == 0 }, "0 once the insert is done"},
		{"yardstick_mongodb_pool_max_connections", func(v float64) bool { return v == embeddedPoolSize }, "the embedded pool's cap"},
		{"yardstick_mongodb_pool_checkout_duration_seconds", func(v float64) bool { return v >= 1 }, ">= 1 check-out"},
		{"yardstick_mongodb_pool_checkout_failures_total", func(v float64) bool { return v == 0 }, "0"},
	}
	for _, c := range checks {
		if v, ok := got[c.name]; !ok || !c.ok(v) {
			t.Errorf("%s = %v (exported: %v), want %s", c.name, v, ok, c.want)
		}
	}
}
