/*
 * k-th largest |x| by radix select on the bit patterns. With the sign bit cleared, the IEEE-754 bits of a
 * float, read as an unsigned integer, order exactly as the magnitudes do, with +Inf above every finite
 * value and NaN above +Inf — the order Backend.kthLargestAbs asks for. Three histogram passes (11, 10 and
 * 10 bits) fix the key from the top bits down; x is only read, and the work is O(n) whatever the data.
 *
 * The first pass reads all of x; the later ones care only about the entries whose top digit matched, which
 * for spread-out data (TIES deltas, k = 20% of n) are a few percent of x. So when that bucket is small the
 * first pass copies its entries out, and the last two passes read the copy instead of x again: two reads of
 * x instead of three. A large bucket (heavy ties, constant data) or a failed allocation keeps full passes.
 */
#include "amalgam.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define PARALLEL_MIN_ELEMENTS (1 << 16)
#define TOP_SHIFT 20
#define TOP_BINS (1 << 11)

static inline uint32_t magnitude_key(float v) {
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    return bits & 0x7fffffffu;
}

/* Walks the bins from the top, spending `*rank` on the larger ones; returns the bin the rank falls in. */
static uint32_t bin_of_rank(const int64_t *counts, int width, int64_t *rank) {
    int64_t bin = ((int64_t) 1 << width) - 1;
    while (bin > 0 && counts[bin] < *rank) *rank -= counts[bin--];
    return (uint32_t) bin;
}

/*
 * Counts, over the elements whose key agrees with `prefix` on the bits above `shift + width`, how many
 * have each value of the `width` bits at `shift`.
 */
static void histogram(int64_t n, const float *x, uint32_t prefix, int prefix_shift, int shift, int width,
                      int64_t *counts, int threads) {
    int64_t bins = (int64_t) 1 << width;
    memset(counts, 0, (size_t) bins * sizeof(int64_t));
#pragma omp parallel num_threads(threads) if (n >= PARALLEL_MIN_ELEMENTS)
    {
        int64_t local[1 << 11] = {0};
#pragma omp for schedule(static)
        for (int64_t i = 0; i < n; i++) {
            uint32_t key = magnitude_key(x[i]);
            if (prefix_shift < 32 && (key >> prefix_shift) != prefix) continue;
            local[(key >> shift) & (uint32_t) (bins - 1)]++;
        }
#pragma omp critical
        for (int64_t b = 0; b < bins; b++) counts[b] += local[b];
    }
}

/*
 * Adds to `counts` the top digit of every x[from, to). Four interleaved 32-bit histograms let consecutive
 * keys with the same digit, common in smooth data, increment different counters instead of waiting on one
 * another; they are folded in before a counter could overflow.
 */
static void count_top_digits(const float *x, int64_t from, int64_t to, int64_t *counts) {
    uint32_t four[4][TOP_BINS];
    for (int64_t i = from; i < to;) {
        int64_t block_end = to - i > INT32_MAX ? i + INT32_MAX : to;
        memset(four, 0, sizeof four);
        for (; i + 4 <= block_end; i += 4) {
            four[0][magnitude_key(x[i]) >> TOP_SHIFT]++;
            four[1][magnitude_key(x[i + 1]) >> TOP_SHIFT]++;
            four[2][magnitude_key(x[i + 2]) >> TOP_SHIFT]++;
            four[3][magnitude_key(x[i + 3]) >> TOP_SHIFT]++;
        }
        for (; i < block_end; i++) four[0][magnitude_key(x[i]) >> TOP_SHIFT]++;
        for (int b = 0; b < TOP_BINS; b++) {
            counts[b] += (int64_t) four[0][b] + four[1][b] + four[2][b] + four[3][b];
        }
    }
}

/*
 * The first pass: fixes the top digit (bits 30..20) into *digit, lowering *rank to the rank within its
 * bucket, and when the bucket holds at most n/8 entries copies them, in any order, into a new buffer of
 * *gathered entries that the caller frees. Returns NULL when it did not gather. Each thread keeps its
 * histogram after the count so that it knows how many entries it will copy, and so where to start writing
 * in the shared buffer; one parallel region does both so that every thread keeps the same range of x.
 */
static float *top_digit_and_gather(int64_t n, const float *x, int threads, uint32_t *digit, int64_t *rank,
                                   int64_t *gathered) {
    if (threads < 1) threads = 1;
    int64_t counts[TOP_BINS] = {0};
    int64_t *taken = malloc((size_t) threads * sizeof *taken); /* each thread's share of the bucket */
    float *buffer = NULL;
#pragma omp parallel num_threads(threads) if (n >= PARALLEL_MIN_ELEMENTS)
    {
        int team = omp_get_num_threads(), t = omp_get_thread_num();
        int64_t from = n * t / team, to = n * (t + 1) / team;
        int64_t local[TOP_BINS] = {0};
        count_top_digits(x, from, to, local);
#pragma omp critical
        for (int b = 0; b < TOP_BINS; b++) counts[b] += local[b];
#pragma omp barrier
#pragma omp single
        {
            *digit = bin_of_rank(counts, 11, rank);
            *gathered = counts[*digit];
            if (taken != NULL && *gathered <= n / 8) buffer = malloc((size_t) *gathered * sizeof *buffer);
        }
        if (buffer != NULL) {
            uint32_t top = *digit;
            taken[t] = local[top];
#pragma omp barrier
            int64_t at = 0;
            for (int u = 0; u < t; u++) at += taken[u];
            /* Every entry is stored and only a match advances: no branch to mispredict on a few-percent
             * match rate. Stopping at the last match keeps the stores inside this thread's share. */
            int64_t end = at + taken[t];
            for (int64_t i = from; i < to && at < end; i++) {
                float v = x[i];
                buffer[at] = v;
                at += (magnitude_key(v) >> TOP_SHIFT) == top;
            }
        }
    }
    free(taken);
    return buffer;
}

float amalgam_kth_largest_abs(int64_t n, int64_t k, const float *x, int threads) {
    static const int shifts[3] = {TOP_SHIFT, 10, 0}, widths[3] = {11, 10, 10};
    int64_t counts[1 << 11];
    int64_t rank = k; /* rank, from the top, among the elements still matching the prefix */
    uint32_t prefix;
    int64_t gathered;
    float *bucket = top_digit_and_gather(n, x, threads, &prefix, &rank, &gathered);
    const float *rest = bucket != NULL ? bucket : x; /* every entry that can still hold the answer */
    int64_t count = bucket != NULL ? gathered : n;
    for (int pass = 1; pass < 3; pass++) {
        histogram(count, rest, prefix, shifts[pass - 1], shifts[pass], widths[pass], counts, threads);
        prefix = (prefix << widths[pass]) | bin_of_rank(counts, widths[pass], &rank);
    }
    free(bucket);
    float result;
    memcpy(&result, &prefix, sizeof result);
    return result;
}
