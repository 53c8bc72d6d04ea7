package amalgam.merge.algorithms;

import amalgam.kernels.ElectedMean;
import amalgam.kernels.FloatSegments;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@link ElectedMean} accumulated one tensor at a time, for merges of more tensors than memory holds at once:
 * the votes of every tensor first ({@link #vote}), then the agreeing sums ({@link #add}), each tensor seen once
 * per pass and in the same order. Per entry this is the arithmetic of the scalar reference sweep (double, in
 * tensor order, rounded to float once), so the result equals every backend's {@code electedMean} bit for bit.
 * Memory: three doubles and an int per entry, whatever the number of tensors.
 */
final class StreamedElectedMean {

    private final ElectedMean mean;
    private final ComputeContext ctx;
    private final long n;
    private final MemorySegment votes, sums, agreeingWeights, agreeing;

    StreamedElectedMean(ElectedMean mean, ComputeContext ctx, long n, Arena arena) {
        this.mean = mean;
        this.ctx = ctx;
        this.n = n;
        this.votes = elects() ? arena.allocate(ValueLayout.JAVA_DOUBLE, n) : null;
        this.sums = arena.allocate(ValueLayout.JAVA_DOUBLE, n);
        this.agreeingWeights = arena.allocate(ValueLayout.JAVA_DOUBLE, n);
        this.agreeing = arena.allocate(ValueLayout.JAVA_INT, n);
    }

    /** Whether {@link #vote} must see every tensor before {@link #add} sees any. */
    boolean elects() {
        return mean.election() != ElectedMean.Election.NONE;
    }

    /** Adds tensor p (weight w) to the votes. */
    void vote(MemorySegment p, double weight) {
        boolean frequency = mean.election() == ElectedMean.Election.FREQUENCY;
        ctx.forEachChunk(n, (c, from, to) -> {
            for (long e = from; e < to; e++) {
                double voter = voter(FloatSegments.get(p, e), weight);
                votes.setAtIndex(ValueLayout.JAVA_DOUBLE, e, votes.getAtIndex(ValueLayout.JAVA_DOUBLE, e)
                        + (frequency ? Math.signum(voter) : voter));
            }
        });
    }

    /** Adds tensor p (weight w) to the sums of the entries where it agrees with the elected sign. */
    void add(MemorySegment p, double weight) {
        boolean elect = elects();
        ctx.forEachChunk(n, (c, from, to) -> {
            for (long e = from; e < to; e++) {
                double value = FloatSegments.get(p, e);
                if (elect) {
                    double majority = votes.getAtIndex(ValueLayout.JAVA_DOUBLE, e) >= 0 ? 1 : -1;
                    // Zeros have sign 0 and never match the elected sign.
                    if (Math.signum(voter(value, weight)) != majority) continue;
                }
                sums.setAtIndex(ValueLayout.JAVA_DOUBLE, e, sums.getAtIndex(ValueLayout.JAVA_DOUBLE, e) + weight * value);
                agreeingWeights.setAtIndex(ValueLayout.JAVA_DOUBLE, e,
                        agreeingWeights.getAtIndex(ValueLayout.JAVA_DOUBLE, e) + weight);
                agreeing.setAtIndex(ValueLayout.JAVA_INT, e, agreeing.getAtIndex(ValueLayout.JAVA_INT, e) + 1);
            }
        });
    }

    /** Writes λ · sum / divisor of every entry to out as float. */
    void finish(MemorySegment out) {
        ctx.forEachChunk(n, (c, from, to) -> {
            for (long e = from; e < to; e++) {
                double divisor = mean.divisorFor(agreeing.getAtIndex(ValueLayout.JAVA_INT, e),
                        agreeingWeights.getAtIndex(ValueLayout.JAVA_DOUBLE, e));
                FloatSegments.set(out, e, (float) (mean.lambda() * sums.getAtIndex(ValueLayout.JAVA_DOUBLE, e) / divisor));
            }
        });
    }

    private double voter(double p, double weight) {
        return mean.weightedVotes() ? weight * p : p;
    }
}
