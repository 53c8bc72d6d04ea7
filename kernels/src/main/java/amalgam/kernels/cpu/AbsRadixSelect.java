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
 * top down, and x is never written.
 *
 * <p>Only the entries whose top digit matches the answer's matter after the first pass, and for spread-out
 * data (TIES deltas with k = 20% of n) they are a few percent of x. So when that bucket is small, its keys are
 * copied into a buffer and the last two passes read the buffer: two reads of x instead of three. A large
 * bucket (heavy ties, constant data) keeps the full passes over x.
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
    /** Gather the top bucket only when it holds at most 1/GATHER_FRACTION of x, so the copy pays. */
    private static final int GATHER_FRACTION = 8;
    /** Bucket buffers up to this many keys (16 MiB) stay with their thread for the next call. */
    private static final int RETAINED_BUCKET = 1 << 22;
    /** The largest bucket an int[] can hold; beyond it (x of over 2^34 elements) the passes stay on x. */
    private static final int MAX_BUCKET = Integer.MAX_VALUE - 8;

    /** A histogram and room for one vector's digits: one per thread on the single-threaded path. */
    private static final class Scratch {
        final long[] histogram = new long[BUCKETS];
        final int[] digits = new int[I.length()];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    private static final ThreadLocal<int[]> BUCKET = ThreadLocal.withInitial(() -> new int[0]);

    private AbsRadixSelect() {}

    static float select(long n, long k, MemorySegment x, long xOffset, WorkerPool pool) {
        if (k < 1 || k > n) throw new IllegalArgumentException("k must be in [1, " + n + "], got " + k);
        MemorySegment rest = x; // holds every element that can still be the answer
        long restOffset = xOffset, restLength = n;
        int prefix = 0;
        long remaining = k; // rank still to find among elements whose bits start with prefix
        for (int pass = 0; pass < SHIFTS.length; pass++) {
            int shift = SHIFTS[pass], width = WIDTHS[pass];
            // Elements in play share the digits fixed so far: bits above shift + width equal prefix.
            long[][] perChunk = countChunks(restLength, rest, restOffset, shift + width, prefix, shift, width,
                    chunkCount(restLength, pool), pool);
            long[] histogram = sum(perChunk);
            int digit = (1 << width) - 1;
            for (; digit > 0 && histogram[digit] < remaining; digit--) remaining -= histogram[digit];
            prefix = (prefix << width) | digit;
            if (pass == 0 && histogram[digit] <= Math.min(n / GATHER_FRACTION, MAX_BUCKET)) {
                rest = MemorySegment.ofArray(gather(n, x, xOffset, digit, perChunk, (int) histogram[digit], pool));
                restOffset = 0;
                restLength = histogram[digit];
            }
        }
        return Float.intBitsToFloat(prefix);
    }

    private static int chunkCount(long n, WorkerPool pool) {
        return pool.threads() == 1 ? 1 : (int) Math.max(1, Math.min(pool.threads() * 4L, n / MIN_CHUNK));
    }

    /** Histograms of chunk c = [n·c/chunks, n·(c+1)/chunks) of x, one per chunk. */
    private static long[][] countChunks(long n, MemorySegment x, long xOffset, int prefixShift, int prefix,
                                        int shift, int width, int chunks, WorkerPool pool) {
        if (chunks == 1) {
            Scratch scratch = SCRATCH.get();
            Arrays.fill(scratch.histogram, 0);
            return new long[][] {count(x, xOffset, 0, n, prefixShift, prefix, shift, width, scratch)};
        }
        long[][] partial = new long[chunks][];
        pool.parallelFor(chunks, c -> partial[c] = count(x, xOffset, n * c / chunks, n * (c + 1) / chunks,
                prefixShift, prefix, shift, width, new Scratch()));
        return partial;
    }

    /** The bin-wise total of the histograms, which stay as they are. */
    private static long[] sum(long[][] histograms) {
        long[] total = histograms[0].clone();
        for (int c = 1; c < histograms.length; c++) {
            for (int b = 0; b < BUCKETS; b++) total[b] += histograms[c][b];
        }
        return total;
    }

    /**
     * Copies the keys of x whose top digit is {@code digit} into a buffer of {@code size}, in no particular
     * order. Chunks are the first pass's, so each one's count of such keys fixes where it starts writing.
     */
    private static int[] gather(long n, MemorySegment x, long xOffset, int digit, long[][] perChunk, int size,
                                WorkerPool pool) {
        int[] bucket = bucketBuffer(size);
        int chunks = perChunk.length;
        int[] start = new int[chunks];
        for (int c = 1; c < chunks; c++) start[c] = start[c - 1] + (int) perChunk[c - 1][digit];
        pool.parallelFor(chunks, c -> gatherChunk(x, xOffset, n * c / chunks, n * (c + 1) / chunks, digit,
                bucket, start[c]));
        return bucket;
    }

    private static int[] bucketBuffer(int size) {
        int[] held = BUCKET.get();
        if (held.length >= size) return held;
        int[] fresh = new int[size];
        if (size <= RETAINED_BUCKET) BUCKET.set(fresh);
        return fresh;
    }

    private static void gatherChunk(MemorySegment x, long xOffset, long from, long to, int digit, int[] bucket,
                                    int at) {
        int lanes = I.length();
        long base = xOffset * Integer.BYTES;
        long i = from;
        for (; i + lanes <= to; i += lanes) {
            IntVector keys = IntVector.fromMemorySegment(I, x, base + i * Integer.BYTES, ByteOrder.nativeOrder())
                    .and(ABS_MASK);
            VectorMask<Integer> match = keys.lanewise(VectorOperators.LSHR, SHIFTS[0]).eq(digit);
            // Every vector is stored, matches or not: a few percent of keys match, so about every other vector
            // holds one, and a branch on that would be mispredicted as often. The store is masked to the
            // matches' count so that it never reaches the next chunk's keys.
            keys.compress(match).intoArray(bucket, at, match.compress());
            at += match.trueCount();
        }
        for (; i < to; i++) {
            int key = x.getAtIndex(INT, xOffset + i) & ABS_MASK;
            if ((key >>> SHIFTS[0]) == digit) bucket[at++] = key;
        }
    }

    /**
     * Adds to histogram the top digit (at shift, all bits above it) of every element in [from, to). Four
     * interleaved int histograms let consecutive keys with the same digit, common in smooth data, increment
     * different counters instead of waiting on one another; they are folded in before an int could overflow.
     */
    private static long[] countAll(MemorySegment x, long xOffset, long from, long to, int shift, long[] histogram) {
        int[] four = new int[4 * BUCKETS];
        for (long i = from; i < to; ) {
            long blockEnd = Math.min(to, i + Integer.MAX_VALUE);
            for (; i + 4 <= blockEnd; i += 4) {
                long at = xOffset + i;
                four[(x.getAtIndex(INT, at) & ABS_MASK) >>> shift]++;
                four[BUCKETS + ((x.getAtIndex(INT, at + 1) & ABS_MASK) >>> shift)]++;
                four[2 * BUCKETS + ((x.getAtIndex(INT, at + 2) & ABS_MASK) >>> shift)]++;
                four[3 * BUCKETS + ((x.getAtIndex(INT, at + 3) & ABS_MASK) >>> shift)]++;
            }
            for (; i < blockEnd; i++) four[(x.getAtIndex(INT, xOffset + i) & ABS_MASK) >>> shift]++;
            for (int b = 0; b < BUCKETS; b++) {
                histogram[b] += (long) four[b] + four[BUCKETS + b] + four[2 * BUCKETS + b] + four[3 * BUCKETS + b];
            }
            Arrays.fill(four, 0);
        }
        return histogram;
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
        // Later passes count few, so testing a vector at a time skips most of the data cheaply; the first
        // counts every element, which a plain loop does faster than vectors unpacked lane by lane.
        boolean filtering = prefixShift < 31;
        if (!filtering) return countAll(x, xOffset, from, to, shift, histogram);
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
