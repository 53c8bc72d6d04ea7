/*
 * k-th largest |x| by radix select on the bit patterns. With the sign bit cleared, the IEEE-754 bits of a
 * float, read as an unsigned integer, order exactly as the magnitudes do, with +Inf above every finite
 * value and NaN above +Inf — the order Backend.kthLargestAbs asks for. Three histogram passes (11, 10 and
 * 10 bits) fix the key from the top bits down; x is only read, and the work is O(n) whatever the data.
 */
#include "amalgam.h"

#include <string.h>

#define PARALLEL_MIN_ELEMENTS (1 << 16)

static inline uint32_t magnitude_key(float v) {
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    return bits & 0x7fffffffu;
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

float amalgam_kth_largest_abs(int64_t n, int64_t k, const float *x, int threads) {
    static const int shifts[3] = {20, 10, 0}, widths[3] = {11, 10, 10};
    int64_t counts[1 << 11];
    uint32_t prefix = 0;
    int prefix_shift = 32; /* no prefix constraint on the first pass */
    int64_t rank = k;      /* rank, from the top, among the elements still matching the prefix */
    for (int pass = 0; pass < 3; pass++) {
        histogram(n, x, prefix, prefix_shift, shifts[pass], widths[pass], counts, threads);
        int64_t bin = ((int64_t) 1 << widths[pass]) - 1;
        while (bin > 0 && counts[bin] < rank) rank -= counts[bin--];
        prefix = (prefix << widths[pass]) | (uint32_t) bin;
        prefix_shift = shifts[pass];
    }
    float result;
    memcpy(&result, &prefix, sizeof result);
    return result;
}
