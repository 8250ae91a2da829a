package stats

import "math"

// FQuantile returns the p-quantile of the F distribution with d1 and d2
// degrees of freedom (R's qf(p, d1, d2)): the f with P(F ≤ f) = p. The
// degrees of freedom need not be whole numbers (the Satterthwaite degrees of
// the ICC(2,1) interval are not). It returns NaN for p outside (0, 1) or
// degrees of freedom that are not positive.
//
// F = (d2/d1)·X/(1−X) with X ~ Beta(d1/2, d2/2), so the quantile is found on
// X's distribution function, the regularized incomplete beta function, by
// bisection: monotone, and exact to the last bits of a float64 in about 60
// halvings.
func FQuantile(p, d1, d2 float64) float64 {
	if !(p > 0 && p < 1) || !(d1 > 0) || !(d2 > 0) || math.IsInf(d1, 0) || math.IsInf(d2, 0) {
		return math.NaN()
	}
	a, b := d1/2, d2/2
	lo, hi := 0.0, 1.0
	for range 200 {
		mid := (lo + hi) / 2
		if mid == lo || mid == hi {
			break
		}
		if regIncBeta(a, b, mid) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	x := (lo + hi) / 2
	return d2 * x / (d1 * (1 - x))
}

// FCDF returns P(F ≤ f) for the F distribution with d1 and d2 degrees of
// freedom (R's pf).
func FCDF(f, d1, d2 float64) float64 {
	if math.IsNaN(f) || !(d1 > 0) || !(d2 > 0) {
		return math.NaN()
	}
	if f <= 0 {
		return 0
	}
	if math.IsInf(f, 1) {
		return 1
	}
	return regIncBeta(d1/2, d2/2, d1*f/(d1*f+d2))
}

// regIncBeta is the regularized incomplete beta function I_x(a, b), by the
// continued fraction of Abramowitz & Stegun 26.5.8, evaluated with the
// modified Lentz method; where it converges slowly (x above the mean), by
// the symmetry I_x(a, b) = 1 − I_{1−x}(b, a).
func regIncBeta(a, b, x float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	front := math.Exp(lab - la - lb + a*math.Log(x) + b*math.Log1p(-x))
	if x < (a+1)/(a+b+2) {
		return front * betaFraction(a, b, x) / a
	}
	return 1 - front*betaFraction(b, a, 1-x)/b
}

// betaFraction evaluates the continued fraction of regIncBeta.
func betaFraction(a, b, x float64) float64 {
	const epsilon = 1e-16
	c, d := 1.0, lentzGuard(1-(a+b)*x/(a+1))
	d = 1 / d
	h := d
	// step applies one term num of the fraction and returns its factor.
	step := func(num float64) float64 {
		d = 1 / lentzGuard(1+num*d)
		c = lentzGuard(1 + num/c)
		return d * c
	}
	for m := 1; m <= 10000; m++ {
		mf := float64(m)
		// The even term, then the odd one.
		h *= step(mf * (b - mf) * x / ((a + 2*mf - 1) * (a + 2*mf)))
		last := step(-(a + mf) * (a + b + mf) * x / ((a + 2*mf) * (a + 2*mf + 1)))
		h *= last
		if math.Abs(last-1) < epsilon {
			break
		}
	}
	return h
}

// lentzGuard keeps a denominator of the modified Lentz method off zero.
func lentzGuard(v float64) float64 {
	const tiny = 1e-300
	if math.Abs(v) < tiny {
		return tiny
	}
	return v
}
