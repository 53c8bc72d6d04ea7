package amalgam.kernels;

/**
 * The error function in double precision, for the reference definitions of GELU (Java has none).
 * A Maclaurin series below 2.5 and Lentz's continued fraction for erfc above: both accurate to a few ulps
 * of double, far tighter than any fp32 kernel is compared against.
 */
final class Erf {
    private Erf() {}

    static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double ax = Math.abs(x);
        double r;
        if (ax < 2.5) {
            // Maclaurin series: erf(x) = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1)); converges fast for |x| < 2.5.
            double term = ax, sum = ax, x2 = ax * ax;
            for (int n = 1; n < 80; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
            }
            r = 2.0 / Math.sqrt(Math.PI) * sum;
        } else if (ax < 6.0) {
            // Continued fraction for erfc (Lentz), accurate for x ≥ 2.5.
            r = 1.0 - erfcContinuedFraction(ax);
        } else {
            r = 1.0;
        }
        return x < 0 ? -r : r;
    }

    /**
     * erfc(x) = 1 − erf(x) without the cancellation of that difference: the continued fraction gives full
     * relative accuracy in the upper tail, where GELU's negative side and Φ(x) for x ≪ 0 live.
     */
    static double erfc(double x) {
        if (Double.isNaN(x)) return x;
        if (x < 0) return 2.0 - erfc(-x);
        if (x < 2.5) return 1.0 - erf(x);   // erfc ≥ 4e-4 here: at most ~4 digits of double lost
        if (x > 27.0) return 0.0;           // below the smallest double
        return erfcContinuedFraction(x);
    }

    private static double erfcContinuedFraction(double x) {
        // erfc(x) = exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + 2/(x + ...)))))
        double tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (int n = 1; n < 200; n++) {
            double an = n * 0.5;
            d = x + an * d;
            if (Math.abs(d) < tiny) d = tiny;
            c = x + an / c;
            if (Math.abs(c) < tiny) c = tiny;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) break;
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }
}
