package amalgam.merge.algorithms;

import amalgam.kernels.FloatSegments;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * The combining stage of {@link GeneralizedTaskArithmetic} over a range of entries: optional sign election,
 * then the (disjoint) weighted mean, Σ w_i p_i m_i / divisor, times λ. {@link #scalar} is the reference;
 * {@link #vector} computes exactly the same double-precision arithmetic a few entries at a time with the
 * Vector API, so the two agree bit for bit (NaN and infinities included).
 *
 * <p>The vector loop reads each tensor twice per block (votes, then the sum) rather than keeping n vectors
 * in an array, which the JIT would box; the second read hits L1.
 *
 * @param election null for no election
 * @param weightedElection mergekit: elect on w_i p_i instead of p_i
 * @param pickDivisor how the sum is divided (PEFT count or mergekit normalisation)
 */
record ElectedMean(MajoritySign election, boolean weightedElection, Divisor pickDivisor, double lambda) {

    /** What the weighted sum of the agreeing entries is divided by. */
    enum Divisor {
        /** 1: plain weighted sum. */
        ONE,
        /** max(number of agreeing entries, 1): PEFT's disjoint mean. */
        AGREEING_COUNT,
        /** Σ w_i over agreeing entries, or 1 when that is ~0: mergekit's normalize. */
        AGREEING_WEIGHT
    }

    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Floats with as many lanes as D, so one load converts to one double vector. */
    private static final VectorSpecies<Float> F =
            VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    /** Writes entries [from, to) of out; out may be one of the tensors (each entry is read before written). */
    void scalar(MemorySegment[] tensors, double[] weights, long from, long to, MemorySegment out) {
        int count = tensors.length;
        double[] voter = new double[count];
        for (long e = from; e < to; e++) {
            double votes = 0;
            for (int i = 0; i < count; i++) {
                double p = FloatSegments.get(tensors[i], e);
                voter[i] = weightedElection ? weights[i] * p : p;
                votes += election == MajoritySign.FREQUENCY ? Math.signum(voter[i]) : voter[i];
            }
            double majority = votes >= 0 ? 1 : -1;
            double sum = 0, agreeingWeight = 0;
            int agreeing = 0;
            for (int i = 0; i < count; i++) {
                // Zeros have sign 0 and never match the elected sign.
                boolean member = election == null || Math.signum(voter[i]) == majority;
                if (!member) continue;
                sum += weights[i] * FloatSegments.get(tensors[i], e);
                agreeingWeight += weights[i];
                agreeing++;
            }
            FloatSegments.set(out, e, (float) (lambda * sum / divisor(agreeing, agreeingWeight)));
        }
    }

    private double divisor(int agreeing, double agreeingWeight) {
        return switch (pickDivisor) {
            case ONE -> 1;
            case AGREEING_COUNT -> Math.max(agreeing, 1);
            case AGREEING_WEIGHT -> Math.abs(agreeingWeight) < 1e-8 ? 1 : agreeingWeight;
        };
    }

    /** The same as {@link #scalar}, vectorised; the tail that does not fill a vector goes to the scalar loop. */
    void vector(MemorySegment[] tensors, double[] weights, long from, long to, MemorySegment out) {
        int count = tensors.length;
        int lanes = D.length();
        DoubleVector zero = DoubleVector.zero(D), one = DoubleVector.broadcast(D, 1), minusOne = one.neg();
        VectorMask<Double> everyLane = D.maskAll(true);
        long e = from;
        for (; e + lanes <= to; e += lanes) {
            long offset = e * Float.BYTES;
            VectorMask<Double> positive = everyLane;
            if (election != null) {
                DoubleVector votes = zero;
                for (int i = 0; i < count; i++) {
                    DoubleVector voter = load(tensors[i], offset);
                    if (weightedElection) voter = voter.mul(weights[i]);
                    votes = votes.add(election == MajoritySign.FREQUENCY ? signum(voter, one, minusOne) : voter);
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
                if (election != null) {
                    DoubleVector voter = weightedElection ? term : p;
                    // signum(voter) == majority: strictly positive under +, strictly negative under −.
                    member = voter.compare(VectorOperators.GT, 0).and(positive)
                            .or(voter.compare(VectorOperators.LT, 0).andNot(positive));
                }
                sum = sum.add(term, member);
                agreeingWeight = agreeingWeight.add(DoubleVector.broadcast(D, w), member);
                agreeing = agreeing.add(one, member);
            }
            DoubleVector divisor = switch (pickDivisor) {
                case ONE -> one;
                case AGREEING_COUNT -> agreeing.max(one);
                case AGREEING_WEIGHT -> one.blend(agreeingWeight,
                        agreeingWeight.abs().compare(VectorOperators.LT, 1e-8).not());
            };
            sum.mul(lambda).div(divisor).convertShape(VectorOperators.D2F, F, 0)
                    .intoMemorySegment(out, offset, ORDER);
        }
        scalar(tensors, weights, e, to, out);
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
