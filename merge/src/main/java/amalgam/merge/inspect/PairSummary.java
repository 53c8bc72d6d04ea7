package amalgam.merge.inspect;

import java.util.List;
import java.util.Locale;

/**
 * One pair of adapters over all the modules compared: means over modules, each module counting once.
 *
 * @param modules           modules compared
 * @param meanCosine        mean cosine of the updates, over modules where both are nonzero; NaN if none
 * @param meanSignAgreement mean share of agreeing signs, over modules with entries nonzero in both; NaN if none
 * @param sampledModules    modules whose sign agreement counted a sample of rows
 */
public record PairSummary(int first, int second, int modules, double meanCosine, double meanSignAgreement,
                          int sampledModules) {

    /** Sign agreement at or above which TIES' election rarely overrules a sign. */
    static final double MOSTLY_AGREE = 0.9;
    /** Around 0.5 signs are as independent as those of unrelated updates. */
    static final double INDEPENDENT_LOW = 0.4;
    static final double INDEPENDENT_HIGH = 0.6;

    static PairSummary of(int first, int second, List<PairMeasure> measures) {
        double cosines = 0, agreements = 0;
        int withCosine = 0, withSigns = 0, sampled = 0;
        for (PairMeasure m : measures) {
            if (!Double.isNaN(m.cosine())) {
                cosines += m.cosine();
                withCosine++;
            }
            if (!Double.isNaN(m.signs().agreement())) {
                agreements += m.signs().agreement();
                withSigns++;
            }
            if (m.sampled()) sampled++;
        }
        return new PairSummary(first, second, measures.size(), withCosine == 0 ? Double.NaN : cosines / withCosine,
                withSigns == 0 ? Double.NaN : agreements / withSigns, sampled);
    }

    /**
     * What the numbers mean for choosing TIES. With two adapters its election keeps, where signs conflict, only
     * the side with the larger total; where they agree it averages like linear. So the conflicting share decides
     * how much ties and linear differ.
     */
    public String tiesAdvice() {
        double a = meanSignAgreement;
        if (Double.isNaN(a)) return "no entries nonzero in both: nothing for a sign election to decide";
        String conflict = String.format(Locale.ROOT, "%.0f%%", 100 * (1 - a));
        if (a >= MOSTLY_AGREE) {
            return "signs mostly agree (" + conflict + " conflict): TIES' sign election changes little";
        }
        if (a > INDEPENDENT_HIGH) {
            return "signs conflict on " + conflict + " of entries: TIES' election settles those where linear "
                    + "would let them cancel";
        }
        if (a >= INDEPENDENT_LOW) {
            return "signs about as independent as unrelated updates' (" + conflict + " conflict): TIES' election "
                    + "decides about half the entries, so ties and linear differ most";
        }
        return "updates mostly oppose (" + conflict + " conflict): linear cancels them, TIES keeps the stronger "
                + "side entry by entry";
    }
}
