/*
 * SGEMM in the Goto/BLIS style: C is updated in KC-deep slices; each slice of op(B) and op(A) is packed
 * into panels the micro-kernel streams through with unit stride (transposes are absorbed by the packing),
 * and the MR×NR micro-kernel keeps its block of C in registers for the whole slice.
 *
 * Threads never wait for each other: C is cut into a grid of blocks, each block is a whole GEMM that one
 * thread computes with packing buffers of its own, and blocks are handed out from a dynamic queue. The
 * price is that A's rows are packed once per block column and B's once per block row (a few percent);
 * the gain is that on a machine shared with other processes a descheduled thread holds up nobody, where
 * a barrier per slice would stall its partner for a whole scheduler time slice.
 */
#include "amalgam.h"

#include <stdlib.h>
#include <string.h>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define AMALGAM_GEMM_AVX2 1
#endif

/*
 * MR×NR = 6×16 uses 12 of the 16 ymm registers for C, 2 for B and 1 for the broadcast A value.
 * KC·NR floats of B (16 KiB) stay in L1 while MC·KC floats of A (96 KiB) stay in L2 and KC·NC of B in L3.
 */
enum { MR = 6, NR = 16, KC = 256, MC = 96, NC = 4096 };

/* Parallel blocks: about this many per thread, so that a slowed thread's share moves to the others... */
enum { BLOCKS_PER_THREAD = 4 };
/* ...but no narrower than this many columns, below which repacking A would cost more than it balances. */
enum { MIN_BLOCK_COLS = 64 };

/* Below this many flops a parallel fork costs more than it saves. */
#define PARALLEL_MIN_FLOPS (1 << 21)

static float *alloc_panel(size_t floats) {
    size_t bytes = (floats * sizeof(float) + 63) & ~(size_t) 63;
    return aligned_alloc(64, bytes == 0 ? 64 : bytes);
}

/* Rows [i0, i0+rows) × columns [p0, p0+kc) of op(A), as ceil(rows/MR) panels of kc·MR (zero padded). */
static void pack_a_panel(int trans_a, const float *a, int64_t lda, int64_t i0, int64_t rows, int64_t p0,
                         int64_t kc, float *dst) {
    for (int64_t p = 0; p < kc; p++) {
        for (int64_t r = 0; r < MR; r++) {
            float v = 0.0f;
            if (r < rows) {
                int64_t i = i0 + r, q = p0 + p;
                v = trans_a ? a[q * lda + i] : a[i * lda + q];
            }
            dst[p * MR + r] = v;
        }
    }
}

/* Rows [p0, p0+kc) × columns [j0, j0+cols) of op(B), as one panel of kc·NR (zero padded). */
static void pack_b_panel(int trans_b, const float *b, int64_t ldb, int64_t p0, int64_t kc, int64_t j0,
                         int64_t cols, float *dst) {
    for (int64_t p = 0; p < kc; p++) {
        float *row = dst + p * NR;
        int64_t q = p0 + p;
        if (!trans_b && cols == NR) {
            memcpy(row, b + q * ldb + j0, NR * sizeof(float));
            continue;
        }
        for (int64_t c = 0; c < NR; c++) {
            row[c] = c < cols ? (trans_b ? b[(j0 + c) * ldb + q] : b[q * ldb + j0 + c]) : 0.0f;
        }
    }
}

/* C[0:MR, 0:NR] = alpha · Ap·Bp + beta · C, where beta == 0 means C is not read. */
static void micro_kernel(int64_t kc, const float *restrict ap, const float *restrict bp,
                         float *restrict c, int64_t ldc, float alpha, float beta) {
#ifdef AMALGAM_GEMM_AVX2
    __m256 c0a = _mm256_setzero_ps(), c0b = _mm256_setzero_ps();
    __m256 c1a = _mm256_setzero_ps(), c1b = _mm256_setzero_ps();
    __m256 c2a = _mm256_setzero_ps(), c2b = _mm256_setzero_ps();
    __m256 c3a = _mm256_setzero_ps(), c3b = _mm256_setzero_ps();
    __m256 c4a = _mm256_setzero_ps(), c4b = _mm256_setzero_ps();
    __m256 c5a = _mm256_setzero_ps(), c5b = _mm256_setzero_ps();
    for (int64_t p = 0; p < kc; p++) {
        __m256 b0 = _mm256_load_ps(bp), b1 = _mm256_load_ps(bp + 8);
        __m256 av;
        av = _mm256_broadcast_ss(ap + 0); c0a = _mm256_fmadd_ps(av, b0, c0a); c0b = _mm256_fmadd_ps(av, b1, c0b);
        av = _mm256_broadcast_ss(ap + 1); c1a = _mm256_fmadd_ps(av, b0, c1a); c1b = _mm256_fmadd_ps(av, b1, c1b);
        av = _mm256_broadcast_ss(ap + 2); c2a = _mm256_fmadd_ps(av, b0, c2a); c2b = _mm256_fmadd_ps(av, b1, c2b);
        av = _mm256_broadcast_ss(ap + 3); c3a = _mm256_fmadd_ps(av, b0, c3a); c3b = _mm256_fmadd_ps(av, b1, c3b);
        av = _mm256_broadcast_ss(ap + 4); c4a = _mm256_fmadd_ps(av, b0, c4a); c4b = _mm256_fmadd_ps(av, b1, c4b);
        av = _mm256_broadcast_ss(ap + 5); c5a = _mm256_fmadd_ps(av, b0, c5a); c5b = _mm256_fmadd_ps(av, b1, c5b);
        ap += MR;
        bp += NR;
    }
    const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
#define AMALGAM_STORE_ROW(r, lo, hi)                                                   \
    do {                                                                               \
        float *row = c + (r) * ldc;                                                    \
        __m256 x0 = _mm256_mul_ps(va, lo), x1 = _mm256_mul_ps(va, hi);                 \
        if (beta != 0.0f) {                                                            \
            x0 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(row), x0);                        \
            x1 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(row + 8), x1);                    \
        }                                                                              \
        _mm256_storeu_ps(row, x0);                                                     \
        _mm256_storeu_ps(row + 8, x1);                                                 \
    } while (0)
    AMALGAM_STORE_ROW(0, c0a, c0b);
    AMALGAM_STORE_ROW(1, c1a, c1b);
    AMALGAM_STORE_ROW(2, c2a, c2b);
    AMALGAM_STORE_ROW(3, c3a, c3b);
    AMALGAM_STORE_ROW(4, c4a, c4b);
    AMALGAM_STORE_ROW(5, c5a, c5b);
#undef AMALGAM_STORE_ROW
#else
    /* Portable fallback: the same blocking, left to the compiler's auto-vectoriser. */
    float acc[MR][NR];
    memset(acc, 0, sizeof acc);
    for (int64_t p = 0; p < kc; p++) {
        for (int r = 0; r < MR; r++) {
            float av = ap[r];
            for (int j = 0; j < NR; j++) acc[r][j] += av * bp[j];
        }
        ap += MR;
        bp += NR;
    }
    for (int r = 0; r < MR; r++) {
        float *row = c + r * ldc;
        for (int j = 0; j < NR; j++) {
            row[j] = beta != 0.0f ? alpha * acc[r][j] + beta * row[j] : alpha * acc[r][j];
        }
    }
#endif
}

/* A partial tile at the matrix edge: compute the full tile into scratch, then update only what exists. */
static void edge_kernel(int64_t kc, const float *ap, const float *bp, float *c, int64_t ldc,
                        int64_t rows, int64_t cols, float alpha, float beta) {
    float tile[MR * NR];
    micro_kernel(kc, ap, bp, tile, NR, 1.0f, 0.0f);
    for (int64_t r = 0; r < rows; r++) {
        for (int64_t j = 0; j < cols; j++) {
            float v = alpha * tile[r * NR + j];
            c[r * ldc + j] = beta != 0.0f ? v + beta * c[r * ldc + j] : v;
        }
    }
}

/* C = beta · C (beta == 0: C = 0 without reading it), for k == 0 where no product term exists. */
static void scale_c(int64_t m, int64_t n, float beta, float *c, int64_t ldc) {
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j = 0; j < n; j++) c[i * ldc + j] = beta != 0.0f ? beta * c[i * ldc + j] : 0.0f;
    }
}

/* Packing buffers of one thread: a KC×NC slice of B and an MC×KC block of A. */
typedef struct {
    float *a;
    float *b;
} panels;

static int panels_alloc(panels *p, int64_t m, int64_t n, int64_t k) {
    int64_t nc = n < NC ? n : NC, kc = k < KC ? k : KC, mc = m < MC ? m : MC;
    p->b = alloc_panel((size_t) ((nc + NR - 1) / NR) * NR * kc);
    p->a = alloc_panel((size_t) ((mc + MR - 1) / MR) * MR * kc);
    return p->a != NULL && p->b != NULL;
}

static void panels_free(panels *p) {
    free(p->a);
    free(p->b);
}

/* C[i0:i1, j0:j1] = alpha · op(A)[i0:i1, :] · op(B)[:, j0:j1] + beta · C[i0:i1, j0:j1], on one thread. */
static void gemm_block(int trans_a, int trans_b, int64_t i0, int64_t i1, int64_t j0, int64_t j1, int64_t k,
                       float alpha, const float *a, int64_t lda, const float *b, int64_t ldb,
                       float beta, float *c, int64_t ldc, const panels *buf) {
    for (int64_t jc = j0; jc < j1; jc += NC) {
        int64_t nc = j1 - jc < NC ? j1 - jc : NC;
        for (int64_t pc = 0; pc < k; pc += KC) {
            int64_t kc = k - pc < KC ? k - pc : KC;
            float beta_slice = pc == 0 ? beta : 1.0f;
            for (int64_t q = 0; q * NR < nc; q++) {
                int64_t cols = nc - q * NR < NR ? nc - q * NR : NR;
                pack_b_panel(trans_b, b, ldb, pc, kc, jc + q * NR, cols, buf->b + q * NR * kc);
            }
            for (int64_t ic = i0; ic < i1; ic += MC) {
                int64_t mc = i1 - ic < MC ? i1 - ic : MC;
                for (int64_t q = 0; q * MR < mc; q++) {
                    int64_t rows = mc - q * MR < MR ? mc - q * MR : MR;
                    pack_a_panel(trans_a, a, lda, ic + q * MR, rows, pc, kc, buf->a + q * MR * kc);
                }
                for (int64_t jr = 0; jr < nc; jr += NR) {
                    const float *bp = buf->b + (jr / NR) * NR * kc;
                    int64_t cols = nc - jr < NR ? nc - jr : NR;
                    for (int64_t ir = 0; ir < mc; ir += MR) {
                        const float *ap = buf->a + (ir / MR) * MR * kc;
                        int64_t rows = mc - ir < MR ? mc - ir : MR;
                        float *ct = c + (ic + ir) * ldc + jc + jr;
                        if (rows == MR && cols == NR) micro_kernel(kc, ap, bp, ct, ldc, alpha, beta_slice);
                        else edge_kernel(kc, ap, bp, ct, ldc, rows, cols, alpha, beta_slice);
                    }
                }
            }
        }
    }
}

static int64_t round_up(int64_t x, int64_t multiple) {
    return (x + multiple - 1) / multiple * multiple;
}

int amalgam_sgemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                  const float *a, int64_t lda, const float *b, int64_t ldb,
                  float beta, float *c, int64_t ldc, int threads) {
    if (m <= 0 || n <= 0) return 0;
    if (k <= 0) {
        scale_c(m, n, beta, c, ldc);
        return 0;
    }
    double flops = 2.0 * (double) m * (double) n * (double) k;
    int team = threads < 1 || flops < PARALLEL_MIN_FLOPS ? 1 : threads;
    if (team == 1) {
        panels buf;
        int ok = panels_alloc(&buf, m, n, k);
        if (ok) gemm_block(trans_a, trans_b, 0, m, 0, n, k, alpha, a, lda, b, ldb, beta, c, ldc, &buf);
        panels_free(&buf);
        return ok ? 0 : AMALGAM_OUT_OF_MEMORY;
    }
    /* The block grid: split columns first (B's panels are cheaper to share out), then rows. */
    int64_t wanted = (int64_t) team * BLOCKS_PER_THREAD;
    int64_t col_blocks = (n + MIN_BLOCK_COLS - 1) / MIN_BLOCK_COLS;
    if (col_blocks > wanted) col_blocks = wanted;
    int64_t block_cols = round_up((n + col_blocks - 1) / col_blocks, NR);
    col_blocks = (n + block_cols - 1) / block_cols;
    int64_t row_blocks = (wanted + col_blocks - 1) / col_blocks, max_row_blocks = (m + MR - 1) / MR;
    if (row_blocks > max_row_blocks) row_blocks = max_row_blocks;
    int64_t block_rows = round_up((m + row_blocks - 1) / row_blocks, MR);
    row_blocks = (m + block_rows - 1) / block_rows;

    int failed = 0;
#pragma omp parallel num_threads(team) reduction(| : failed)
    {
        panels buf;
        if (!panels_alloc(&buf, block_rows, block_cols, k)) {
            failed = 1;
        }
        /* Every thread joins the loop even without buffers, so that it ends; such a thread takes no block. */
#pragma omp for schedule(dynamic, 1) nowait
        for (int64_t t = 0; t < row_blocks * col_blocks; t++) {
            if (failed) continue;
            int64_t i0 = (t / col_blocks) * block_rows, j0 = (t % col_blocks) * block_cols;
            int64_t i1 = i0 + block_rows < m ? i0 + block_rows : m, j1 = j0 + block_cols < n ? j0 + block_cols : n;
            gemm_block(trans_a, trans_b, i0, i1, j0, j1, k, alpha, a, lda, b, ldb, beta, c, ldc, &buf);
        }
        panels_free(&buf);
    }
    return failed ? AMALGAM_OUT_OF_MEMORY : 0;
}

int amalgam_sgemm_batched(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                           const float *a, int64_t lda, int64_t stride_a,
                           const float *b, int64_t ldb, int64_t stride_b,
                           float beta, float *c, int64_t ldc, int64_t stride_c, int64_t batch, int threads) {
    if (batch <= 0) return 0;
    double flops = 2.0 * (double) m * (double) n * (double) k;
    /* Small products go one per thread; only when the C blocks are disjoint (a stride of 0 accumulates). */
    int64_t c_extent = m > 0 && n > 0 ? (m - 1) * ldc + n : 0;
    int disjoint = stride_c >= c_extent || -stride_c >= c_extent;
    if (threads > 1 && batch > 1 && disjoint && stride_c != 0 && flops < PARALLEL_MIN_FLOPS) {
        int status = 0;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) reduction(| : status)
        for (int64_t i = 0; i < batch; i++) {
            status |= amalgam_sgemm(trans_a, trans_b, m, n, k, alpha, a + i * stride_a, lda,
                                    b + i * stride_b, ldb, beta, c + i * stride_c, ldc, 1);
        }
        return status;
    }
    for (int64_t i = 0; i < batch; i++) {
        int status = amalgam_sgemm(trans_a, trans_b, m, n, k, alpha, a + i * stride_a, lda, b + i * stride_b,
                                   ldb, beta, c + i * stride_c, ldc, threads);
        if (status != 0) return status;
    }
    return 0;
}
