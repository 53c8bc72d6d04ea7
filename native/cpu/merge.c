/*
 * The merge sweeps (amalgam.kernels.MergeSweeps): magnitude rank window keep and the elected mean. Both
 * compute exactly what ScalarMergeSweeps does, bit for bit: the same comparisons, and the same double
 * additions in the same order per entry (the build's -ffp-contract=off keeps a*b+c from becoming an FMA).
 */
#include "amalgam.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__AVX__)
#include <immintrin.h>
#endif

#define PARALLEL_MIN_ELEMENTS (1 << 16)
/* Entries per chunk of the keep sweep, the unit of its tie counts and of its work hand-out. */
#define KEEP_CHUNK (1 << 15)
/* Entries per block of the keep sweep's tie check: a tie sends only its own block down the ordered path. */
#define KEEP_BLOCK 64
/* Entries per block of the elected mean, the unit of its work hand-out. */
#define MEAN_BLOCK 256

/*
 * |v| as an unsigned key that orders the way Java's Float.compare orders Math.abs(v): +0 and -0 equal,
 * +Inf above every finite value, and every NaN one key above +Inf (Float.compare treats all NaNs as equal).
 */
static inline uint32_t magnitude_order_key(float v) {
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    bits &= 0x7fffffffu;
    return bits > 0x7f800000u ? 0x7f800001u : bits;
}

/*
 * Membership in the k largest magnitudes: keys above `key` are in; of the keys equal to it, the first
 * `quota` in index order are. k <= 0 is a key nothing reaches; k >= n a key of 0 with an unbounded quota.
 */
typedef struct {
    uint32_t key;
    int64_t quota;
    int thresholded; /* quota still to be set from the count of keys above `key` */
} rank_cut;

static rank_cut rank_cut_at(int64_t n, const float *x, int64_t k, int threads) {
    if (k <= 0) return (rank_cut) {UINT32_MAX, 0, 0};
    if (k >= n) return (rank_cut) {0, INT64_MAX, 0};
    return (rank_cut) {magnitude_order_key(amalgam_kth_largest_abs(n, k, x, threads)), k, 1};
}

/* Whether the next index, of key `key`, is in; `equal_seen` counts the ties met so far in index order. */
static inline int rank_cut_next(const rank_cut *cut, uint32_t key, int64_t *equal_seen) {
    if (key != cut->key) return key > cut->key;
    return (*equal_seen)++ < cut->quota;
}

/* Whether any of x[start, end) has a key equal to either cut's: then index order decides, one by one. */
static int any_tie(const float *x, int64_t start, int64_t end, uint32_t upto_key, uint32_t before_key) {
    int tie = 0;
    for (int64_t i = start; i < end; i++) {
        uint32_t key = magnitude_order_key(x[i]);
        tie |= (key == upto_key) | (key == before_key);
    }
    return tie;
}

/* A block without ties: kept when above the upto cut and not above the before cut (branch-free, vectorised). */
static void keep_between(const float *x, int64_t start, int64_t end, uint32_t upto_key, uint32_t before_key,
                         float *out) {
    for (int64_t i = start; i < end; i++) {
        float v = x[i];
        uint32_t key = magnitude_order_key(v);
        out[i] = (key > upto_key) & (key <= before_key) ? v : 0.0f;
    }
}

/*
 * Two passes over chunks of KEEP_CHUNK entries, as the Java implementation does: count, per chunk, the keys
 * above and equal to each cut; then, knowing how many ties lie in earlier chunks, every chunk decides its
 * entries alone, block by block: a block with no entry tied with a cut is decided by comparisons alone.
 * Chunks are handed out dynamically: on a busy machine a descheduled thread's share is
 * taken over rather than waited for.
 */
int amalgam_keep_magnitude_ranks(int64_t n, const float *x, int64_t from_rank, int64_t to_rank, float *out,
                                 int threads) {
    if (n <= 0) return 0;
    rank_cut upto = rank_cut_at(n, x, to_rank, threads);
    rank_cut before = rank_cut_at(n, x, from_rank, threads);
    int64_t chunks = (n + KEEP_CHUNK - 1) / KEEP_CHUNK;
    /* Per chunk: keys above upto, equal to upto, above before, equal to before. */
    int64_t *counts = calloc((size_t) chunks * 4, sizeof(int64_t));
    if (counts == NULL) return AMALGAM_OUT_OF_MEMORY;
#pragma omp parallel for num_threads(threads) if (n >= PARALLEL_MIN_ELEMENTS) schedule(dynamic)
    for (int64_t c = 0; c < chunks; c++) {
        int64_t from = c * KEEP_CHUNK, to = from + KEEP_CHUNK < n ? from + KEEP_CHUNK : n;
        /* 32-bit counters (a chunk holds 2^15 entries) let gcc vectorise the loop. */
        uint32_t above_upto = 0, equal_upto = 0, above_before = 0, equal_before = 0;
        for (int64_t i = from; i < to; i++) {
            uint32_t key = magnitude_order_key(x[i]);
            above_upto += key > upto.key;
            equal_upto += key == upto.key;
            above_before += key > before.key;
            equal_before += key == before.key;
        }
        int64_t *mine = counts + 4 * c;
        mine[0] = above_upto;
        mine[1] = equal_upto;
        mine[2] = above_before;
        mine[3] = equal_before;
    }
    int64_t above_upto = 0, equal_upto = 0, above_before = 0, equal_before = 0;
    for (int64_t c = 0; c < chunks; c++) {
        int64_t *mine = counts + 4 * c;
        above_upto += mine[0];
        above_before += mine[2];
        /* From here on, the equal counts hold the ties in the chunks before c. */
        int64_t e_upto = mine[1], e_before = mine[3];
        mine[1] = equal_upto;
        mine[3] = equal_before;
        equal_upto += e_upto;
        equal_before += e_before;
    }
    if (upto.thresholded) upto.quota -= above_upto;
    if (before.thresholded) before.quota -= above_before;
#pragma omp parallel for num_threads(threads) if (n >= PARALLEL_MIN_ELEMENTS) schedule(dynamic)
    for (int64_t c = 0; c < chunks; c++) {
        int64_t from = c * KEEP_CHUNK, to = from + KEEP_CHUNK < n ? from + KEEP_CHUNK : n;
        int64_t seen_upto = counts[4 * c + 1], seen_before = counts[4 * c + 3];
        for (int64_t start = from; start < to; start += KEEP_BLOCK) {
            int64_t end = start + KEEP_BLOCK < to ? start + KEEP_BLOCK : to;
            if (!any_tie(x, start, end, upto.key, before.key)) {
                keep_between(x, start, end, upto.key, before.key, out);
                continue;
            }
            for (int64_t i = start; i < end; i++) {
                float v = x[i];
                uint32_t key = magnitude_order_key(v);
                int in_upto = rank_cut_next(&upto, key, &seen_upto);
                int in_before = rank_cut_next(&before, key, &seen_before);
                out[i] = in_upto && !in_before ? v : 0.0f;
            }
        }
    }
    free(counts);
    return 0;
}

/* Java's Math.signum: ±1, and ±0 or NaN returned as they are. */
static inline double signum(double v) {
    return v > 0 ? 1.0 : v < 0 ? -1.0 : v;
}

/*
 * One entry, its tensors in order 0..count-1 as in the reference: for the entries that do not fill a step
 * (below). Adding 0.0 for a tensor that does not agree equals skipping it: the sums start at +0 and so are
 * never -0, and s + 0.0 == s for every other s.
 */
static void mean_entry(int election, int weighted_votes, int divisor, double lambda, int count,
                       const float *const *tensors, const double *weights, int64_t e, float *out) {
    double votes = 0.0, sum = 0.0, weight = 0.0, agreeing = 0.0;
    if (election != AM_ELECT_NONE) {
        for (int i = 0; i < count; i++) {
            double value = tensors[i][e];
            double voter = weighted_votes ? weights[i] * value : value;
            votes += election == AM_ELECT_FREQUENCY ? signum(voter) : voter;
        }
    }
    for (int i = 0; i < count; i++) {
        double value = tensors[i][e], w = weights[i];
        double term = w * value;
        double voter = weighted_votes ? term : value;
        /* The elected sign is + when votes >= 0 (NaN votes elect -); zeros and NaN never agree. */
        int member = election == AM_ELECT_NONE || (votes >= 0 ? voter > 0 : voter < 0);
        sum += member ? term : 0.0;
        weight += member ? w : 0.0;
        agreeing += member ? 1.0 : 0.0;
    }
    double d = divisor == AM_DIVIDE_BY_ONE ? 1.0
             : divisor == AM_DIVIDE_BY_AGREEING_COUNT ? (agreeing > 1.0 ? agreeing : 1.0)
             : fabs(weight) < 1e-8 ? 1.0 : weight;
    out[e] = (float) (lambda * sum / d);
}

/*
 * A lane group holds MEAN_LANES entries side by side in vector registers, so that votes, sum, weight and
 * agreeing stay in registers across the tensor loop (a block of stack arrays reloaded per tensor ran at half
 * the Java Vector API's speed). GCC's vector extensions lower to AVX-512, AVX2 or SSE, whichever the target
 * has; a group is one register wide: GCC splits a wider type poorly (through memory, 5-10x slower).
 * A comparison gives all ones or all zeros per lane, so mean_entry's selects become bitwise masks.
 */
#if defined(__AVX512F__)
#define MEAN_LANES 8
#elif defined(__AVX__)
#define MEAN_LANES 4
#else
#define MEAN_LANES 2
#endif
typedef double lanes_d __attribute__((vector_size(MEAN_LANES * sizeof(double))));
typedef float lanes_f __attribute__((vector_size(MEAN_LANES * sizeof(float))));
typedef int64_t lanes_mask __attribute__((vector_size(MEAN_LANES * sizeof(int64_t))));

/*
 * MEAN_LANES floats from p, widened to doubles. GCC 12 widens a whole vector with __builtin_convertvector in
 * two halves (convert, convert, insert): the one-instruction intrinsic made the sweep about 12% faster.
 */
static inline lanes_d load_lanes(const float *p) {
#if MEAN_LANES == 8
    return (lanes_d) _mm512_cvtps_pd(_mm256_loadu_ps(p));
#elif MEAN_LANES == 4
    return (lanes_d) _mm256_cvtps_pd(_mm_loadu_ps(p));
#else
    lanes_f f;
    memcpy(&f, p, sizeof f);
    return __builtin_convertvector(f, lanes_d);
#endif
}

/* v in every lane. v - 0 is v for every v, -0 included (0 + v would turn a -0 weight into +0). */
static inline lanes_d lanes_of(double v) {
    return v - (lanes_d) {0};
}

/* a where mask is set, +0.0 elsewhere: mean_entry's "member ? a : 0.0". */
static inline lanes_d lanes_where(lanes_mask mask, lanes_d a) {
    return (lanes_d) ((lanes_mask) a & mask);
}

/* mask ? a : b, lane by lane. */
static inline lanes_d lanes_blend(lanes_mask mask, lanes_d a, lanes_d b) {
    return (lanes_d) (((lanes_mask) a & mask) | ((lanes_mask) b & ~mask));
}

static inline lanes_d lanes_signum(lanes_d v) {
    return lanes_blend(v > 0.0, lanes_of(1.0), lanes_blend(v < 0.0, lanes_of(-1.0), v));
}

static inline lanes_d lanes_abs(lanes_d v) {
    return (lanes_d) ((lanes_mask) v & INT64_MAX);
}

/*
 * Lane groups side by side per step: their additions are independent chains that the core overlaps (about
 * 10% faster than one group, single-threaded, on AVX-512 and AVX2; four groups were slower). GCC unrolls the
 * loops over g and keeps each array element in a register.
 */
#define MEAN_GROUPS 2
#define MEAN_STEP (MEAN_GROUPS * MEAN_LANES)

/*
 * mean_entry for the MEAN_STEP entries from e on, operation for operation in each lane. Always inlined, so
 * amalgam_elected_mean's constant election and weighted_votes leave no branch in the tensor loops.
 */
static inline __attribute__((always_inline)) void mean_step(
        int election, int weighted_votes, int divisor, double lambda, int count, const float *const *tensors,
        const double *weights, int64_t e, float *out) {
    /*
     * The sign bit in the lanes that elect -, so that one comparison, (voter ^ flip) > 0, asks whether voter
     * has the elected sign: flipping a sign is exact, and zeros and NaN still compare false.
     */
    lanes_mask flip[MEAN_GROUPS];
    for (int g = 0; g < MEAN_GROUPS; g++) flip[g] = (lanes_mask) {0};
    if (election != AM_ELECT_NONE) {
        lanes_d votes[MEAN_GROUPS];
        for (int g = 0; g < MEAN_GROUPS; g++) votes[g] = lanes_of(0.0);
        for (int i = 0; i < count; i++) {
            for (int g = 0; g < MEAN_GROUPS; g++) {
                lanes_d value = load_lanes(tensors[i] + e + g * MEAN_LANES);
                lanes_d voter = weighted_votes ? lanes_of(weights[i]) * value : value;
                votes[g] += election == AM_ELECT_FREQUENCY ? lanes_signum(voter) : voter;
            }
        }
        /* + when votes >= 0; NaN votes compare false and elect -, as in mean_entry. */
        for (int g = 0; g < MEAN_GROUPS; g++) flip[g] = ~(votes[g] >= 0.0) & INT64_MIN;
    }
    lanes_d sum[MEAN_GROUPS], weight[MEAN_GROUPS], agreeing[MEAN_GROUPS];
    for (int g = 0; g < MEAN_GROUPS; g++) sum[g] = weight[g] = agreeing[g] = lanes_of(0.0);
    for (int i = 0; i < count; i++) {
        lanes_d w = lanes_of(weights[i]);
        for (int g = 0; g < MEAN_GROUPS; g++) {
            lanes_d value = load_lanes(tensors[i] + e + g * MEAN_LANES);
            lanes_d term = w * value;
            lanes_mask member = (lanes_mask) {0} - 1;
            if (election != AM_ELECT_NONE) {
                lanes_d voter = weighted_votes ? term : value;
                member = (lanes_d) ((lanes_mask) voter ^ flip[g]) > 0.0;
            }
            sum[g] += lanes_where(member, term);
            weight[g] += lanes_where(member, w);
            agreeing[g] += lanes_where(member, lanes_of(1.0));
        }
    }
    for (int g = 0; g < MEAN_GROUPS; g++) {
        lanes_d one = lanes_of(1.0);
        lanes_d d = divisor == AM_DIVIDE_BY_ONE ? one
                  : divisor == AM_DIVIDE_BY_AGREEING_COUNT ? lanes_blend(agreeing[g] > 1.0, agreeing[g], one)
                  : lanes_blend(lanes_abs(weight[g]) < 1e-8, one, weight[g]);
        lanes_f result = __builtin_convertvector(lambda * sum[g] / d, lanes_f);
        memcpy(out + e + g * MEAN_LANES, &result, sizeof result);
    }
}

/* Entries [start, end): whole steps, then the rest one by one. Inlined like mean_step. */
static inline __attribute__((always_inline)) void mean_range(
        int election, int weighted_votes, int divisor, double lambda, int count, const float *const *tensors,
        const double *weights, int64_t start, int64_t end, float *out) {
    int64_t e = start;
    for (; e + MEAN_STEP <= end; e += MEAN_STEP)
        mean_step(election, weighted_votes, divisor, lambda, count, tensors, weights, e, out);
    for (; e < end; e++) mean_entry(election, weighted_votes, divisor, lambda, count, tensors, weights, e, out);
}

/*
 * Each step reads all its tensors before it writes, so out may be one of them. Weighted votes matter
 * only when there is an election: five specialisations in all.
 */
void amalgam_elected_mean(int election, int weighted_votes, int divisor, double lambda, int count, int64_t n,
                          const float *const *tensors, const double *weights, float *out, int threads) {
    int64_t blocks = (n + MEAN_BLOCK - 1) / MEAN_BLOCK;
    /* Dynamic hand-out of 16 blocks at a time, for the same reason as the keep sweep's. */
#pragma omp parallel for num_threads(threads) if (n >= PARALLEL_MIN_ELEMENTS) schedule(dynamic, 16)
    for (int64_t b = 0; b < blocks; b++) {
        int64_t start = b * MEAN_BLOCK, end = start + MEAN_BLOCK < n ? start + MEAN_BLOCK : n;
        if (election == AM_ELECT_NONE)
            mean_range(AM_ELECT_NONE, 0, divisor, lambda, count, tensors, weights, start, end, out);
        else if (election == AM_ELECT_TOTAL && weighted_votes)
            mean_range(AM_ELECT_TOTAL, 1, divisor, lambda, count, tensors, weights, start, end, out);
        else if (election == AM_ELECT_TOTAL)
            mean_range(AM_ELECT_TOTAL, 0, divisor, lambda, count, tensors, weights, start, end, out);
        else if (weighted_votes)
            mean_range(AM_ELECT_FREQUENCY, 1, divisor, lambda, count, tensors, weights, start, end, out);
        else
            mean_range(AM_ELECT_FREQUENCY, 0, divisor, lambda, count, tensors, weights, start, end, out);
    }
}
