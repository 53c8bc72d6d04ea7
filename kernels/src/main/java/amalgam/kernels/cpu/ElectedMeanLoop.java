package amalgam.kernels.cpu;

import amalgam.kernels.ElectedMean;
import amalgam.kernels.scalar.ScalarMergeSweeps;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * {@link ElectedMean} over a range of entries with the Vector API: the same double-precision arithmetic as
 * {@link ScalarMergeSweeps#electedMean(ElectedMean, MemorySegment[], double[], long, long, MemorySegment)},
 * a few entries at a time, so the two agree bit for bit (NaN and infinities included).
 *
 * <p>The loop reads each tensor twice per block (votes, then the sum) rather than keeping n vectors in an
 * array, which the JIT would box; the second read hits L1.
 */
final class ElectedMeanLoop {

    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Floats with as many lanes as D, so one load converts to one double vector. */
    private static final VectorSpecies<Float> F =
            VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private ElectedMeanLoop() {}

    /**
     * Writes entries [from, to) of out; out may be one of the tensors (each entry is read before written).
     * The tail that does not fill a vector goes to the scalar loop.
     */
    static void run(ElectedMean mean, MemorySegment[] tensors, double[] weights, long from, long to,
                    MemorySegment out) {
        boolean elect = mean.election() != ElectedMean.Election.NONE;
        boolean frequency = mean.election() == ElectedMean.Election.FREQUENCY;
        boolean weightedElection = mean.weightedVotes();
        int count = tensors.length;
        int lanes = D.length();
        DoubleVector zero = DoubleVector.zero(D), one = DoubleVector.broadcast(D, 1), minusOne = one.neg();
        VectorMask<Double> everyLane = D.maskAll(true);
        long e = from;
        for (; e + lanes <= to; e += lanes) {
            long offset = e * Float.BYTES;
            VectorMask<Double> positive = everyLane;
            if (elect) {
                DoubleVector votes = zero;
                for (int i = 0; i < count; i++) {
                    DoubleVector voter = load(tensors[i], offset);
                    if (weightedElection) voter = voter.mul(weights[i]);
                    votes = votes.add(frequency ? signum(voter, one, minusOne) : voter);
                }
                // votes ≥ 0 elects +; NaN votes compare false and elect −, as in the scalar loop.
                positive = votes.compare(VectorOperators.GE, 0);
            }
            DoubleVector sum = zero, agreeingWeight = zero, agreeing = zero;
            for (int i = 0; i < count; i++) {
                DoubleVector p = load(tensors[i], offset);
                double w = weights[i];
                DoubleVector term = p.mul(w);
                VectorMask<Double> member = everyLane;
                if (elect) {
                    DoubleVector voter = weightedElection ? term : p;
                    // signum(voter) == majority: strictly positive under +, strictly negative under −.
                    member = voter.compare(VectorOperators.GT, 0).and(positive)
                            .or(voter.compare(VectorOperators.LT, 0).andNot(positive));
                }
                sum = sum.add(term, member);
                agreeingWeight = agreeingWeight.add(DoubleVector.broadcast(D, w), member);
                agreeing = agreeing.add(one, member);
            }
            DoubleVector divisor = switch (mean.divisor()) {
                case ONE -> one;
                case AGREEING_COUNT -> agreeing.max(one);
                case AGREEING_WEIGHT -> one.blend(agreeingWeight,
                        agreeingWeight.abs().compare(VectorOperators.LT, 1e-8).not());
            };
            sum.mul(mean.lambda()).div(divisor).convertShape(VectorOperators.D2F, F, 0)
                    .intoMemorySegment(out, offset, ORDER);
        }
        ScalarMergeSweeps.electedMean(mean, tensors, weights, e, to, out);
    }

    private static DoubleVector load(MemorySegment tensor, long byteOffset) {
        return (DoubleVector) FloatVector.fromMemorySegment(F, tensor, byteOffset, ORDER)
                .convertShape(VectorOperators.F2D, D, 0);
    }

    /** Math.signum lane by lane: ±1, and ±0 or NaN left as they are. */
    private static DoubleVector signum(DoubleVector x, DoubleVector one, DoubleVector minusOne) {
        return x.blend(one, x.compare(VectorOperators.GT, 0)).blend(minusOne, x.compare(VectorOperators.LT, 0));
    }
}
