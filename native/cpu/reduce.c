/*
 * Reduction of the middle axis of a contiguous [outer, axis, inner] block. Sums run in double so long axes
 * stay accurate; MAX follows Math.max (NaN wins, +0 above -0). Work is split into (outer, inner-chunk)
 * pieces so that both a wide inner axis and a long outer axis keep every thread busy, while each piece
 * still reads whole contiguous runs of `inner`.
 */
#include "amalgam.h"

#include <math.h>

enum { INNER_CHUNK = 256 };

#define PARALLEL_MIN_ELEMENTS (1 << 16)

static inline float max_step(float acc, float v) {
    if (acc != acc) return acc;
    if (v != v) return v;
    if (v > acc || (v == 0.0f && acc == 0.0f && !signbit(v))) return v;
    return acc;
}

void amalgam_reduce(int op, int32_t outer, int32_t axis, int32_t inner, const float *x, float *out, int threads) {
    int64_t chunks = ((int64_t) inner + INNER_CHUNK - 1) / INNER_CHUNK;
    int64_t pieces = (int64_t) outer * chunks;
    int64_t elements = (int64_t) outer * axis * inner;
#pragma omp parallel for num_threads(threads) if (elements >= PARALLEL_MIN_ELEMENTS) schedule(static)
    for (int64_t piece = 0; piece < pieces; piece++) {
        int64_t o = piece / chunks, i0 = (piece % chunks) * INNER_CHUNK;
        int64_t width = inner - i0 < INNER_CHUNK ? inner - i0 : INNER_CHUNK;
        const float *block = x + o * axis * (int64_t) inner + i0;
        float *dst = out + o * (int64_t) inner + i0;
        if (op == AM_MAX_REDUCE) {
            float acc[INNER_CHUNK];
            for (int64_t i = 0; i < width; i++) acc[i] = -INFINITY;
            for (int64_t a = 0; a < axis; a++) {
                const float *row = block + a * inner;
                for (int64_t i = 0; i < width; i++) acc[i] = max_step(acc[i], row[i]);
            }
            for (int64_t i = 0; i < width; i++) dst[i] = acc[i];
        } else {
            double acc[INNER_CHUNK];
            for (int64_t i = 0; i < width; i++) acc[i] = 0.0;
            for (int64_t a = 0; a < axis; a++) {
                const float *row = block + a * inner;
                for (int64_t i = 0; i < width; i++) acc[i] += row[i];
            }
            /* MEAN of an empty axis is 0/0 = NaN, as documented in ReduceOp. */
            for (int64_t i = 0; i < width; i++) dst[i] = (float) (op == AM_MEAN ? acc[i] / axis : acc[i]);
        }
    }
}
