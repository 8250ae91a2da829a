package stats

import (
	"errors"
	"math"
	"testing"
)

// Expected values: the first two are published examples of R's
// fisher.test (Fisher's tea tasting in ?fisher.test; the dieting table of
// the test's textbook presentations); the others were computed here in
// exact rational arithmetic by the same definition (the probabilities of
// every table no likelier than the observed one, with the margins fixed).
func TestFisherExact(t *testing.T) {
	for _, tt := range []struct {
		a, b, c, d int
		want       float64
	}{
		{3, 1, 1, 3, 0.4857142857},   // Fisher's tea tasting (R's ?fisher.test example)
		{1, 9, 11, 3, 0.002759456},   // the textbook dieting example
		{0, 10, 10, 0, 1.082509e-05}, // complete separation
		{5, 5, 5, 5, 1},
		{20, 30, 10, 30, 0.1778736973},
	} {
		got, err := FisherExact(tt.a, tt.b, tt.c, tt.d)
		if err != nil || math.Abs(got-tt.want) > 1e-4*math.Max(tt.want, 1e-3) {
			t.Errorf("FisherExact(%d, %d, %d, %d) = %.10g, %v; want %.10g", tt.a, tt.b, tt.c, tt.d, got, err, tt.want)
		}
	}
	for _, bad := range [][4]int{{-1, 0, 0, 0}, {0, 0, 0, 0}} {
		if _, err := FisherExact(bad[0], bad[1], bad[2], bad[3]); !errors.Is(err, ErrInvalid) {
			t.Errorf("FisherExact(%v) error = %v, want ErrInvalid", bad, err)
		}
	}
}
