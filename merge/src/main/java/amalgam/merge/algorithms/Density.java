package amalgam.merge.algorithms;

/** Validation of the density d (fraction of entries kept) shared by every sparsifier. */
final class Density {

    private Density() {}

    /** Throws a user-facing error unless d is a number ≥ 0; d above 1 is allowed and means "keep all". */
    static double check(double density) {
        if (Double.isNaN(density) || density < 0) {
            throw new IllegalArgumentException(
                    "--density: must be a number in [0, 1], got " + density);
        }
        return density;
    }

    /** k = ⌊d·n⌋, capped at n. */
    static long keepCount(double density, long n) {
        check(density);
        if (density >= 1) return n;
        return Math.min(n, (long) Math.floor(density * n));
    }
}
