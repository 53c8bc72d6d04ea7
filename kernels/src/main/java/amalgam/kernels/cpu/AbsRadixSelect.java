package amalgam.kernels.cpu;

import amalgam.kernels.WorkerPool;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The k-th largest |x| by radix selection on fp32 bit patterns. With the sign bit cleared, the bits of a
 * float read as an unsigned integer sort exactly as the value does, and NaN patterns sort above +∞, which is
 * the order the contract asks for. Three histogram passes (11, 11 and 9 bits) fix the answer's bits from the
 * top down; each pass reads x once and never writes it, and the histograms are the only memory used.
 */
final class AbsRadixSelect {

    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final int ABS_MASK = 0x7FFF_FFFF;
    /** Bit position where each pass's digit starts, and its width; together they cover bits 30..0. */
    private static final int[] SHIFTS = {20, 9, 0};
    private static final int[] WIDTHS = {11, 11, 9};
    private static final int BUCKETS = 1 << 11;
    private static final int MIN_CHUNK = 1 << 16;

    /** A histogram and room for one vector's digits: one per thread on the single-threaded path. */
    private static final class Scratch {
        final long[] histogram = new long[BUCKETS];
        final int[] digits = new int[I.length()];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private AbsRadixSelect() {}

    static float select(long n, long k, MemorySegment x, long xOffset, WorkerPool pool) {
        if (k < 1 || k > n) throw new IllegalArgumentException("k must be in [1, " + n + "], got " + k);
        int chunks = pool.threads() == 1 ? 1 : (int) Math.min(pool.threads() * 4L, n / MIN_CHUNK);
        int prefix = 0;
        long remaining = k; // rank still to find among elements whose bits start with prefix
        for (int pass = 0; pass < SHIFTS.length; pass++) {
            int shift = SHIFTS[pass], width = WIDTHS[pass];
            // Elements in play share the digits fixed so far: bits above shift + width equal prefix.
            int prefixShift = shift + width;
            long[] histogram = chunks <= 1
                    ? count(x, xOffset, 0, n, prefixShift, prefix, shift, width, cleared(SCRATCH.get()))
                    : countParallel(n, x, xOffset, prefixShift, prefix, shift, width, chunks, pool);
            int digit = (1 << width) - 1;
            for (; digit > 0 && histogram[digit] < remaining; digit--) remaining -= histogram[digit];
            prefix = (prefix << width) | digit;
        }
        return Float.intBitsToFloat(prefix);
    }

    private static Scratch cleared(Scratch scratch) {
        Arrays.fill(scratch.histogram, 0);
        return scratch;
    }

    private static long[] countParallel(long n, MemorySegment x, long xOffset, int prefixShift, int prefix,
                                        int shift, int width, int chunks, WorkerPool pool) {
        long[][] partial = new long[chunks][];
        pool.parallelFor(chunks, c -> partial[c] = count(x, xOffset, n * c / chunks, n * (c + 1) / chunks,
                prefixShift, prefix, shift, width, new Scratch()));
        long[] total = partial[0];
        for (int c = 1; c < chunks; c++) {
            for (int b = 0; b < BUCKETS; b++) total[b] += partial[c][b];
        }
        return total;
    }

    /** Adds to histogram the digit of every element in [from, to) whose key starts with prefix. */
    private static long[] count(MemorySegment x, long xOffset, long from, long to, int prefixShift,
                                int prefix, int shift, int width, Scratch scratch) {
        long[] histogram = scratch.histogram;
        int[] digitsOfLanes = scratch.digits;
        int digitMask = (1 << width) - 1;
        int lanes = I.length();
        long base = xOffset * Integer.BYTES;
        long i = from;
        // The first pass counts every element, and a plain loop does that faster than vectors unpacked lane by
        // lane; later passes count few, so testing a vector at a time skips most of the data cheaply.
        boolean filtering = prefixShift < 31;
        for (; filtering && i + lanes <= to; i += lanes) {
            IntVector keys = IntVector.fromMemorySegment(I, x, base + i * Integer.BYTES, ByteOrder.nativeOrder())
                    .and(ABS_MASK);
            VectorMask<Integer> match = keys.lanewise(VectorOperators.LSHR, prefixShift).eq(prefix);
            if (!match.anyTrue()) continue;
            IntVector digits = keys.lanewise(VectorOperators.LSHR, shift).and(digitMask);
            int first = digits.lane(0);
            // Runs of equal magnitudes (zeros after pruning, repeated values) would make one counter a serial
            // chain of increments; a whole vector of one digit is counted at once.
            if (match.allTrue() && digits.eq(first).allTrue()) {
                histogram[first] += lanes;
                continue;
            }
            digits.intoArray(digitsOfLanes, 0);
            for (long bits = match.toLong(); bits != 0; bits &= bits - 1) {
                histogram[digitsOfLanes[Long.numberOfTrailingZeros(bits)]]++;
            }
        }
        for (; i < to; i++) {
            int key = x.getAtIndex(INT, xOffset + i) & ABS_MASK;
            if ((key >>> prefixShift) == prefix) histogram[(key >>> shift) & digitMask]++;
        }
        return histogram;
    }
}
