package amalgam.kernels;

import java.util.Objects;

/**
 * What {@link MergeSweeps#electedMean} computes for each entry e over tensors p_1 … p_n with weights w_i:
 * optionally elect a sign, then λ · Σ w_i p_i[e] over the agreeing tensors / divisor, all in double and rounded
 * to float once. Without an election every tensor agrees. TIES (PEFT) is (TOTAL, unweighted votes,
 * AGREEING_COUNT, 1); mergekit elects on the weighted values and may divide by the agreeing weight.
 *
 * @param election how the sign of each entry is elected
 * @param weightedVotes elect on w_i p_i rather than p_i (mergekit)
 * @param divisor what the weighted sum of the agreeing entries is divided by
 * @param lambda the final scale
 */
public record ElectedMean(Election election, boolean weightedVotes, Divisor divisor, double lambda) {

    /**
     * How the sign of an entry is elected. The elected sign is + when the votes sum to ≥ 0 and − otherwise
     * (NaN votes elect −); a tensor agrees when its voter has that sign strictly, so zeros and NaN never do.
     */
    public enum Election {
        /** No election: every tensor contributes. */
        NONE,
        /** Sign of Σ voter_i (PEFT's "total"). */
        TOTAL,
        /** Sign of Σ signum(voter_i): one vote per tensor (PEFT's "frequency"). */
        FREQUENCY
    }

    /** What the weighted sum of the agreeing entries is divided by. */
    public enum Divisor {
        /** 1: plain weighted sum. */
        ONE,
        /** max(number of agreeing entries, 1): PEFT's disjoint mean. */
        AGREEING_COUNT,
        /** Σ w_i over the agreeing entries, or 1 where |Σ w_i| < 1e-8: mergekit's normalize. */
        AGREEING_WEIGHT
    }

    public ElectedMean {
        Objects.requireNonNull(election, "election");
        Objects.requireNonNull(divisor, "divisor");
    }

    /** The divisor for one entry; one place for the 1e-8 guard, used by the Java implementations. */
    public double divisorFor(int agreeing, double agreeingWeight) {
        return switch (divisor) {
            case ONE -> 1;
            case AGREEING_COUNT -> Math.max(agreeing, 1);
            case AGREEING_WEIGHT -> Math.abs(agreeingWeight) < 1e-8 ? 1 : agreeingWeight;
        };
    }
}
