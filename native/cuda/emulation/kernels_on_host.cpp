// Checks every kernel in native/cuda on the CPU through cuda_host_shim.h, against plain loops in double.
// Build and run with ./run.sh; prints one line per check and exits non-zero when any fails.
#include "emulated_mma.h"
#include "../counter_random.cuh"
#include "../../include/amalgam_ops.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <random>
#include <string>

extern "C" {
#define GEMM_SIGNATURE(NAME)                                                                           \
    void NAME(int m, int n, int k, float alpha, const float* A, long long lda, long long strideA,      \
              const float* B, long long ldb, long long strideB, float beta, float* C, long long ldc,   \
              long long strideC);
GEMM_SIGNATURE(sgemm_nn) GEMM_SIGNATURE(sgemm_nt) GEMM_SIGNATURE(sgemm_tn) GEMM_SIGNATURE(sgemm_tt)
GEMM_SIGNATURE(gemm_tf32_nn) GEMM_SIGNATURE(gemm_tf32_nt) GEMM_SIGNATURE(gemm_tf32_tn) GEMM_SIGNATURE(gemm_tf32_tt)
void lora_forward_up(int m, int out, int in, int r, const float* x, long long ldx, const float* W0, long long ldw,
                     const float* T, long long ldt, const float* B, long long ldb, float* y, long long ldy);
struct Strides { long long rank, shape[8], a[8], b[8]; };
void unary_f32(int op, long long n, const float* x, float* out);
void binary_strided_f32(int op, long long n, Strides s, const float* a, const float* b, float* out);
void copy_strided_f32(long long n, Strides s, const float* src, float* dst);
void reduce_rows_f32(int op, int outer, int axis, const float* x, float* out);
void reduce_columns_f32(int op, int outer, int axis, int inner, const float* x, float* out);
void softmax_rows_f32(int rows, int cols, const float* x, float* out);
void log_softmax_rows_f32(int rows, int cols, const float* x, float* out);
void softmax_backward_rows_f32(int rows, int cols, const float* y, const float* dy, float* dx);
void log_softmax_backward_rows_f32(int rows, int cols, const float* y, const float* dy, float* dx);
void layernorm_rows_f32(int rows, int cols, float eps, const float* x, const float* gamma, const float* beta,
                        float* y, float* mean, float* rstd);
void layernorm_backward_rows_f32(int rows, int cols, const float* x, const float* mean, const float* rstd,
                                 const float* gamma, const float* dy, float* dx);
void layernorm_param_grads_f32(int rows, int cols, const float* x, const float* mean, const float* rstd,
                               const float* dy, float* dgamma, float* dbeta);
void rmsnorm_rows_f32(int rows, int cols, float eps, const float* x, const float* weight, float* y, float* rstd);
void rmsnorm_backward_rows_f32(int rows, int cols, const float* x, const float* rstd, const float* weight,
                               const float* dy, float* dx);
void rope_rows_f32(int rows, int tokens, int dim, const float* x, const float* cos, const float* sin, float* out);
struct SelectState { unsigned prefix, mask; unsigned long long k; };
void abs_radix_histogram(long long n, const float* x, const SelectState* state, int shift, unsigned long long* hist);
void abs_radix_select_bucket(SelectState* state, int shift, unsigned long long* hist);
void prune_count_equal(long long n, const float* x, unsigned threshold, long long chunk, unsigned long long* counts);
void prune_chunk_offsets(long long chunks, unsigned long long* counts);
void prune_apply(long long n, const float* x, unsigned threshold, unsigned long long keepEqual, long long chunk,
                 const unsigned long long* counts, float* out);
void ties_elect_sign(int mode, int count, long long n, long long stride, const float* p, const float* w, float* sign);
void ties_disjoint_merge(int mode, int normalize, int count, long long n, long long stride, const float* p,
                         const float* w, float* out);
void dare_keep_mask(long long n, long long seed, long long stream, int adapter, double probability, float* mask);
void dare_apply(long long n, long long seed, long long stream, int adapter, double probability, float rescale,
                const float* x, float* out);
}

static int failures = 0;

static void report(const std::string& name, double worst, double tolerance) {
    bool ok = worst <= tolerance;
    if (!ok) failures++;
    std::printf("%s %-44s worst error %.3g (tolerance %.3g)\n", ok ? "PASS" : "FAIL", name.c_str(), worst, tolerance);
}

static std::vector<float> randoms(size_t n, unsigned seed, float scale = 1.0f) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-scale, scale);
    std::vector<float> v(n);
    for (float& x : v) x = u(rng);
    return v;
}

static float tf32_round(float x) { return __uint_as_float(tf32::to_tf32(x)); }

using GemmKernel = void (*)(int, int, int, float, const float*, long long, long long, const float*, long long,
                            long long, float, float*, long long, long long);

// aligned: leading dimensions divisible by 4 (the float4 load path, with tails at the tile edges);
// otherwise odd paddings (the scalar path).
static void check_gemm(const char* name, GemmKernel kernel, bool ta, bool tb, bool tensorCores, bool aligned) {
    const int m = 130, n = 132, k = aligned ? 20 : 19, batch = 2;
    const int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
    const long long lda = aligned ? (aCols + 3) / 4 * 4 : aCols + 3, ldb = aligned ? (bCols + 3) / 4 * 4 : bCols + 1;
    const long long ldc = n + 2;
    const long long sa = aRows * lda, sb = 0, sc = m * ldc; // B shared by the batch
    auto A = randoms(batch * sa, 1), B = randoms(bRows * ldb, 2), C = randoms(batch * sc, 3);
    auto expected = C;
    const float alpha = 1.5f, beta = 0.5f;
    for (int z = 0; z < batch; z++)
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    float a = A[z * sa + (ta ? p * lda + i : i * lda + p)];
                    float b = B[z * sb + (tb ? j * ldb + p : p * ldb + j)];
                    if (tensorCores) { a = tf32_round(a); b = tf32_round(b); }
                    sum += (double) a * b;
                }
                float& c = expected[z * sc + i * ldc + j];
                c = (float) (alpha * sum + beta * c);
            }
    emu::launch(dim3{(n + 127) / 128, (m + 127) / 128, batch}, 256, [&] {
        kernel(m, n, k, alpha, A.data(), lda, sa, B.data(), ldb, sb, beta, C.data(), ldc, sc);
    });
    double worst = 0;
    for (size_t i = 0; i < C.size(); i++) worst = std::max(worst, (double) std::fabs(C[i] - expected[i]));
    report(std::string(name) + (aligned ? " aligned" : " padded"), worst, 1e-5);
}

static void check_lora() {
    const int m = 70, in = 33, out = 140, r = 4;
    const float s = 0.5f;
    auto x = randoms(m * in, 4), W0 = randoms(out * in, 5), A = randoms(r * in, 6), B = randoms(out * r, 7);
    std::vector<float> T(m * r), y(m * out);
    emu::launch(dim3{1, 1, 1}, 256, [&] {
        sgemm_nt(m, r, in, s, x.data(), in, 0, A.data(), in, 0, 0.0f, T.data(), r, 0);
    });
    emu::launch(dim3{(out + 127) / 128, (m + 127) / 128, 1}, 256, [&] {
        lora_forward_up(m, out, in, r, x.data(), in, W0.data(), in, T.data(), r, B.data(), r, y.data(), out);
    });
    double worst = 0;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < out; j++) {
            double e = 0;
            for (int p = 0; p < in; p++) e += (double) x[i * in + p] * W0[j * in + p];
            for (int q = 0; q < r; q++) {
                double t = 0;
                for (int p = 0; p < in; p++) t += (double) x[i * in + p] * A[q * in + p];
                e += s * t * B[j * r + q];
            }
            worst = std::max(worst, std::fabs(e - y[i * out + j]));
        }
    report("lora_forward_up after sgemm_nt", worst, 1e-5);
}

static void launch1d(long long n, const std::function<void()>& kernel) {
    unsigned blocks = (unsigned) std::min<long long>((n + 255) / 256, 4);
    emu::launch(dim3{blocks, 1, 1}, 256, kernel);
}

static void check_elementwise() {
    const long long n = 1500;
    auto x = randoms(n, 8, 3.0f);
    std::vector<float> out(n);
    launch1d(n, [&] { unary_f32(AM_GELU_ERF, n, x.data(), out.data()); });
    double worst = 0;
    for (long long i = 0; i < n; i++)
        worst = std::max(worst, std::fabs(0.5 * x[i] * (1 + std::erf(x[i] / std::sqrt(2.0))) - out[i]));
    report("unary_f32 GELU_ERF", worst, 1e-6);
    launch1d(n, [&] { unary_f32(AM_SILU, n, x.data(), out.data()); });
    worst = 0;
    for (long long i = 0; i < n; i++) worst = std::max(worst, std::fabs(x[i] / (1 + std::exp(-(double) x[i])) - out[i]));
    report("unary_f32 SILU", worst, 1e-6);

    // out[i][j][l] = a[l][j][i] (transposed view) − b[j] broadcast, over shape 5×6×7.
    auto a = randoms(210, 9), b = randoms(6, 10);
    Strides s{3, {5, 6, 7}, {1, 5, 30}, {0, 1, 0}};
    std::vector<float> o(210), copy(210);
    launch1d(210, [&] { binary_strided_f32(1, 210, s, a.data(), b.data(), o.data()); });
    launch1d(210, [&] { copy_strided_f32(210, s, a.data(), copy.data()); });
    worst = 0;
    double worstCopy = 0;
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 6; j++)
            for (int l = 0; l < 7; l++) {
                float av = a[l * 30 + j * 5 + i];
                worst = std::max(worst, (double) std::fabs(av - b[j] - o[(i * 6 + j) * 7 + l]));
                worstCopy = std::max(worstCopy, (double) std::fabs(av - copy[(i * 6 + j) * 7 + l]));
            }
    report("binary_strided_f32 SUB, transposed and broadcast", worst, 0);
    report("copy_strided_f32 transposed", worstCopy, 0);
}

static void check_reductions() {
    const int outer = 3, axis = 300, inner = 5;
    auto x = randoms(outer * axis * inner, 11);
    std::vector<float> rows(outer * inner), columns(outer * inner);
    // rows: treat as [outer·inner... ] – reduce each contiguous row of `axis` values.
    emu::launch(dim3{outer, 1, 1}, 256, [&] { reduce_rows_f32(0, outer, axis, x.data(), rows.data()); });
    launch1d(outer * inner, [&] { reduce_columns_f32(1, outer, axis, inner, x.data(), columns.data()); });
    double worstRows = 0, worstColumns = 0;
    for (int o = 0; o < outer; o++) {
        double sum = 0;
        for (int a = 0; a < axis; a++) sum += x[o * axis + a];
        worstRows = std::max(worstRows, std::fabs(sum - rows[o]));
        for (int i = 0; i < inner; i++) {
            float max = -INFINITY;
            for (int a = 0; a < axis; a++) max = std::max(max, x[(o * axis + a) * inner + i]);
            worstColumns = std::max(worstColumns, (double) std::fabs(max - columns[o * inner + i]));
        }
    }
    report("reduce_rows_f32 SUM", worstRows, 1e-5);
    report("reduce_columns_f32 MAX", worstColumns, 0);
}

static void check_softmax() {
    const int rows = 3, cols = 300;
    auto x = randoms(rows * cols, 12, 8.0f), dy = randoms(rows * cols, 13);
    std::vector<float> y(rows * cols), ly(rows * cols), dx(rows * cols), ldx(rows * cols);
    emu::launch(dim3{rows, 1, 1}, 256, [&] { softmax_rows_f32(rows, cols, x.data(), y.data()); });
    emu::launch(dim3{rows, 1, 1}, 256, [&] { log_softmax_rows_f32(rows, cols, x.data(), ly.data()); });
    emu::launch(dim3{rows, 1, 1}, 256, [&] { softmax_backward_rows_f32(rows, cols, y.data(), dy.data(), dx.data()); });
    emu::launch(dim3{rows, 1, 1}, 256, [&] { log_softmax_backward_rows_f32(rows, cols, ly.data(), dy.data(), ldx.data()); });
    double worst = 0, worstLog = 0, worstBack = 0, worstLogBack = 0;
    for (int r = 0; r < rows; r++) {
        const float* xr = &x[r * cols];
        double max = -INFINITY, sum = 0, dot = 0, dySum = 0;
        for (int j = 0; j < cols; j++) max = std::max(max, (double) xr[j]);
        for (int j = 0; j < cols; j++) sum += std::exp(xr[j] - max);
        for (int j = 0; j < cols; j++) {
            double p = std::exp(xr[j] - max) / sum;
            dot += dy[r * cols + j] * p;
            dySum += dy[r * cols + j];
        }
        for (int j = 0; j < cols; j++) {
            double p = std::exp(xr[j] - max) / sum;
            worst = std::max(worst, std::fabs(p - y[r * cols + j]));
            worstLog = std::max(worstLog, std::fabs(xr[j] - max - std::log(sum) - ly[r * cols + j]));
            worstBack = std::max(worstBack, std::fabs(p * (dy[r * cols + j] - dot) - dx[r * cols + j]));
            worstLogBack = std::max(worstLogBack, std::fabs(dy[r * cols + j] - p * dySum - ldx[r * cols + j]));
        }
    }
    report("softmax_rows_f32", worst, 1e-6);
    report("log_softmax_rows_f32", worstLog, 1e-5);
    report("softmax_backward_rows_f32", worstBack, 1e-6);
    report("log_softmax_backward_rows_f32", worstLogBack, 1e-5);
}

static void check_layernorm() {
    const int rows = 3, cols = 300;
    auto x = randoms(rows * cols, 14, 2.0f), gamma = randoms(cols, 15), beta = randoms(cols, 16);
    auto dy = randoms(rows * cols, 17);
    for (float& v : x) v += 3.0f;
    std::vector<float> y(rows * cols), mean(rows), rstd(rows), dx(rows * cols), dgamma(cols, 1.0f), dbeta(cols, 2.0f);
    emu::launch(dim3{rows, 1, 1}, 256, [&] {
        layernorm_rows_f32(rows, cols, 1e-5f, x.data(), gamma.data(), beta.data(), y.data(), mean.data(), rstd.data());
    });
    emu::launch(dim3{rows, 1, 1}, 256, [&] {
        layernorm_backward_rows_f32(rows, cols, x.data(), mean.data(), rstd.data(), gamma.data(), dy.data(), dx.data());
    });
    launch1d(cols, [&] {
        layernorm_param_grads_f32(rows, cols, x.data(), mean.data(), rstd.data(), dy.data(), dgamma.data(), dbeta.data());
    });
    double worstY = 0, worstDx = 0, worstDg = 0, worstDb = 0;
    std::vector<double> dgRef(cols, 1.0), dbRef(cols, 2.0);
    for (int r = 0; r < rows; r++) {
        const float* xr = &x[r * cols];
        double mu = 0, var = 0;
        for (int j = 0; j < cols; j++) mu += xr[j];
        mu /= cols;
        for (int j = 0; j < cols; j++) var += (xr[j] - mu) * (xr[j] - mu);
        double rs = 1 / std::sqrt(var / cols + 1e-5);
        double gSum = 0, gxSum = 0;
        for (int j = 0; j < cols; j++) {
            double xhat = (xr[j] - mu) * rs, g = dy[r * cols + j] * gamma[j];
            worstY = std::max(worstY, std::fabs(xhat * gamma[j] + beta[j] - y[r * cols + j]));
            gSum += g;
            gxSum += g * xhat;
            dgRef[j] += dy[r * cols + j] * xhat;
            dbRef[j] += dy[r * cols + j];
        }
        for (int j = 0; j < cols; j++) {
            double xhat = (xr[j] - mu) * rs, g = dy[r * cols + j] * gamma[j];
            worstDx = std::max(worstDx, std::fabs(rs * (g - gSum / cols - xhat * gxSum / cols) - dx[r * cols + j]));
        }
    }
    for (int j = 0; j < cols; j++) {
        worstDg = std::max(worstDg, std::fabs(dgRef[j] - dgamma[j]));
        worstDb = std::max(worstDb, std::fabs(dbRef[j] - dbeta[j]));
    }
    report("layernorm_rows_f32", worstY, 1e-5);
    report("layernorm_backward_rows_f32", worstDx, 1e-4);
    report("layernorm_param_grads_f32", worstDg + worstDb, 1e-5);
}

// More column tiles (32 columns each) than blocks, and more rows than a block's 8 row lanes: every column is
// reached through the grid stride and every row through the lanes.
static void check_param_grads_grid_stride() {
    const int rows = 37, cols = 1000; // 32 tiles, the last partial, over 3 blocks
    auto x = randoms(rows * cols, 31), dy = randoms(rows * cols, 32), mean = randoms(rows, 33), rstd = randoms(rows, 34);
    std::vector<float> dgamma(cols, 0.5f), dbeta(cols, -0.5f);
    emu::launch(dim3{3, 1, 1}, 256, [&] {
        layernorm_param_grads_f32(rows, cols, x.data(), mean.data(), rstd.data(), dy.data(), dgamma.data(), dbeta.data());
    });
    double worst = 0;
    for (int j = 0; j < cols; j++) {
        double g = 0.5, b = -0.5;
        for (int r = 0; r < rows; r++) {
            g += (double) dy[r * cols + j] * ((x[r * cols + j] - (double) mean[r]) * rstd[r]);
            b += dy[r * cols + j];
        }
        worst = std::max({worst, std::fabs(g - dgamma[j]), std::fabs(b - dbeta[j])});
    }
    report("layernorm_param_grads_f32 grid-stride, 32 tiles on 3 blocks", worst, 1e-5);
}

static void check_rmsnorm() {
    const int rows = 3, cols = 300;
    auto x = randoms(rows * cols, 24, 2.0f), weight = randoms(cols, 25), dy = randoms(rows * cols, 26);
    std::vector<float> y(rows * cols), rstd(rows), dx(rows * cols), dweight(cols, 1.0f);
    emu::launch(dim3{rows, 1, 1}, 256, [&] {
        rmsnorm_rows_f32(rows, cols, 1e-6f, x.data(), weight.data(), y.data(), rstd.data());
    });
    emu::launch(dim3{rows, 1, 1}, 256, [&] {
        rmsnorm_backward_rows_f32(rows, cols, x.data(), rstd.data(), weight.data(), dy.data(), dx.data());
    });
    launch1d(cols, [&] {
        layernorm_param_grads_f32(rows, cols, x.data(), nullptr, rstd.data(), dy.data(), dweight.data(), nullptr);
    });
    double worstY = 0, worstDx = 0, worstDw = 0;
    std::vector<double> dwRef(cols, 1.0);
    for (int r = 0; r < rows; r++) {
        const float* xr = &x[r * cols];
        double squares = 0;
        for (int j = 0; j < cols; j++) squares += (double) xr[j] * xr[j];
        double rs = 1 / std::sqrt(squares / cols + 1e-6), gxSum = 0;
        for (int j = 0; j < cols; j++) {
            double xhat = xr[j] * rs, g = dy[r * cols + j] * weight[j];
            worstY = std::max(worstY, std::fabs(xhat * weight[j] - y[r * cols + j]));
            gxSum += g * xhat;
            dwRef[j] += dy[r * cols + j] * xhat;
        }
        for (int j = 0; j < cols; j++) {
            double xhat = xr[j] * rs, g = dy[r * cols + j] * weight[j];
            worstDx = std::max(worstDx, std::fabs(rs * (g - xhat * gxSum / cols) - dx[r * cols + j]));
        }
    }
    for (int j = 0; j < cols; j++) worstDw = std::max(worstDw, std::fabs(dwRef[j] - dweight[j]));
    report("rmsnorm_rows_f32", worstY, 1e-5);
    report("rmsnorm_backward_rows_f32", worstDx, 1e-4);
    report("layernorm_param_grads_f32 without mean (RMS weight)", worstDw, 1e-5);
}

static void check_rope() {
    const int rows = 6, tokens = 3, dim = 10, half = dim / 2;
    auto x = randoms(rows * dim, 27), cos = randoms(tokens * dim, 28), sin = randoms(tokens * dim, 29);
    std::vector<float> out(rows * dim);
    launch1d(rows * half, [&] { rope_rows_f32(rows, tokens, dim, x.data(), cos.data(), sin.data(), out.data()); });
    double worst = 0;
    for (int r = 0; r < rows; r++) {
        const int t = (r % tokens) * dim;
        for (int j = 0; j < dim; j++) {
            double rotated = j < half ? -x[r * dim + j + half] : x[r * dim + j - half];
            worst = std::max(worst, std::fabs(x[r * dim + j] * (double) cos[t + j] + rotated * sin[t + j] - out[r * dim + j]));
        }
    }
    report("rope_rows_f32", worst, 1e-6);
}

static void check_selection() {
    const long long n = 9000;
    auto x = randoms(n, 18);
    for (float& v : x) v = std::round(v * 8) / 8; // many ties
    for (long long k : {1LL, 100LL, 4500LL, 8999LL}) {
        SelectState state{0, 0, (unsigned long long) k};
        std::vector<unsigned long long> hist(256, 0);
        for (int shift = 24; shift >= 0; shift -= 8) {
            emu::launch(dim3{3, 1, 1}, 256, [&] { abs_radix_histogram(n, x.data(), &state, shift, hist.data()); });
            emu::launch(dim3{1, 1, 1}, 1, [&] { abs_radix_select_bucket(&state, shift, hist.data()); });
        }
        std::vector<float> sorted(n);
        for (long long i = 0; i < n; i++) sorted[i] = std::fabs(x[i]);
        std::sort(sorted.begin(), sorted.end(), std::greater<float>());
        report("radix select k=" + std::to_string(k), std::fabs(__uint_as_float(state.prefix) - sorted[k - 1]), 0);

        // Reference: stable order by decreasing |x|, first k kept.
        std::vector<long long> order(n);
        for (long long i = 0; i < n; i++) order[i] = i;
        std::stable_sort(order.begin(), order.end(), [&](long long a, long long b) { return std::fabs(x[a]) > std::fabs(x[b]); });
        std::vector<float> expected(n, 0.0f);
        for (long long r = 0; r < k; r++) expected[order[r]] = x[order[r]];
        // 3 chunks, and 36 chunks whose offsets a 32-thread scan block computes in two tiles, one partial.
        for (long long chunk : {4096LL, 256LL}) {
            long long chunks = (n + chunk - 1) / chunk;
            std::vector<unsigned long long> counts(chunks);
            std::vector<float> out(n);
            emu::launch(dim3{(unsigned) chunks, 1, 1}, 256, [&] { prune_count_equal(n, x.data(), state.prefix, chunk, counts.data()); });
            emu::launch(dim3{1, 1, 1}, chunk == 4096 ? 256 : 32, [&] { prune_chunk_offsets(chunks, counts.data()); });
            emu::launch(dim3{(unsigned) chunks, 1, 1}, 256, [&] {
                prune_apply(n, x.data(), state.prefix, state.k, chunk, counts.data(), out.data());
            });
            double wrong = 0;
            for (long long i = 0; i < n; i++) wrong += expected[i] != out[i];
            report("prune (exact top-k, ties by index) k=" + std::to_string(k) + " chunk=" + std::to_string(chunk), wrong, 0);
        }
    }
}

static void check_chunk_offsets() {
    const long long chunks = 1000; // four tiles of 256, the last partial
    std::mt19937 rng(30);
    std::vector<unsigned long long> counts(chunks), expected(chunks);
    unsigned long long running = 0;
    for (long long c = 0; c < chunks; c++) {
        counts[c] = rng() % 5000;
        expected[c] = running;
        running += counts[c];
    }
    emu::launch(dim3{1, 1, 1}, 256, [&] { prune_chunk_offsets(chunks, counts.data()); });
    double wrong = 0;
    for (long long c = 0; c < chunks; c++) wrong += counts[c] != expected[c];
    report("prune_chunk_offsets = exclusive prefix sum", wrong, 0);
}

static void check_merge() {
    const float p[12] = {0, -1.3f, 2.0f, 0, 0, -1.5f, /* second tensor */ 0, 1.2f, 1.0f, 0, -2.0f, 0};
    const float w[2] = {2.0f, 0.5f};
    const float expectedTotal[6] = {0, -2.6f, 2.25f, 0, -1.0f, -3.0f};
    const float expectedMergekit[6] = {0, -1.3f, 1.8f, 0, -2.0f, -1.5f};
    std::vector<float> out(6), sign(6);
    launch1d(6, [&] { ties_disjoint_merge(0, 0, 2, 6, 6, p, w, out.data()); });
    double worst = 0;
    for (int i = 0; i < 6; i++) worst = std::max(worst, (double) std::fabs(out[i] - expectedTotal[i]));
    report("ties_disjoint_merge total (MERGING.md)", worst, 1e-6);
    launch1d(6, [&] { ties_disjoint_merge(2, 1, 2, 6, 6, p, w, out.data()); });
    worst = 0;
    for (int i = 0; i < 6; i++) worst = std::max(worst, (double) std::fabs(out[i] - expectedMergekit[i]));
    report("ties_disjoint_merge mergekit (MERGING.md)", worst, 1e-6);
    launch1d(6, [&] { ties_elect_sign(1, 2, 6, 6, p, w, sign.data()); });
    const float expectedSign[6] = {1, 1, 1, 1, -1, -1}; // frequency: e1 has one + and one −, a tie → +
    worst = 0;
    for (int i = 0; i < 6; i++) worst = std::max(worst, (double) std::fabs(sign[i] - expectedSign[i]));
    report("ties_elect_sign frequency", worst, 0);
}

// Uniforms of amalgam.kernels.CounterRandom computed by the Java (CounterRandomTest asserts the same table):
// {seed, stream, adapter, index, uniform(streamKey(seed, adapterStream(stream, adapter)), index)}.
struct UniformAnswer { long long seed, stream; int adapter; long long index; double uniform; };
static const UniformAnswer COUNTER_RANDOM_ANSWERS[] = {
    {0LL, 0LL, 0, 0LL, 0x1.0e364ebc59307p-1},
    {42LL, 0LL, 1, 7LL, 0x1.18032c1b2eb8ap-2},
    {42LL, 3LL, 1, 7LL, 0x1.8b2d7557c1481p-1},
    {-1LL, 12345LL, 65536, 1099511627776LL, 0x1.51f53fa33c6c7p-1},
    {20015998343868LL, 5LL, 2, 999999999LL, 0x1.5644caa845ae8p-2},
    {7LL, -2LL, 0, 3LL, 0x1.5dcd681a2872ap-1},
};

// Masks the Java wrote (KernelsOnHostTest, from CounterRandom.keeps = KeepMask.seeded), one case a line:
// seed stream adapter probability n, then n characters 0/1. Run without the file, only the table is checked.
static void check_masks_against_java(const char* path) {
    std::ifstream in(path);
    long long seed, stream, n;
    int adapter;
    double probability;
    std::string expected;
    int cases = 0;
    double wrong = 0;
    while (in >> seed >> stream >> adapter >> probability >> n >> expected) {
        std::vector<float> mask(n);
        launch1d(n, [&] { dare_keep_mask(n, seed, stream, adapter, probability, mask.data()); });
        for (long long i = 0; i < n; i++) wrong += mask[i] != (expected[i] == '1' ? 1.0f : 0.0f);
        cases++;
    }
    report("dare_keep_mask = Java KeepMask.seeded, " + std::to_string(cases) + " cases", cases ? wrong : 1, 0);
}

static void check_dare() {
    double wrong = 0;
    for (const UniformAnswer& a : COUNTER_RANDOM_ANSWERS) {
        const unsigned long long key = counter_random::stream_key(a.seed, counter_random::adapter_stream(a.stream, a.adapter));
        wrong += counter_random::uniform(key, a.index) != a.uniform;
    }
    report("counter_random = Java CounterRandom known answers", wrong, 0);

    const long long n = 4001;
    std::vector<float> mask(n), x = randoms(n, 35), out(n);
    launch1d(n, [&] { dare_keep_mask(n, 42, 9, 1, 0.3, mask.data()); });
    launch1d(n, [&] { dare_apply(n, 42, 9, 1, 0.3, 1 / 0.3f, x.data(), out.data()); });
    double kept = 0, wrongMask = 0, wrongApply = 0, sameAsOtherStream = 0;
    const unsigned long long key = counter_random::stream_key(42, counter_random::adapter_stream(9, 1));
    const unsigned long long otherStream = counter_random::stream_key(42, counter_random::adapter_stream(10, 1));
    for (long long i = 0; i < n; i++) {
        const bool keep = counter_random::uniform(key, i) < 0.3;
        kept += mask[i];
        wrongMask += mask[i] != (keep ? 1.0f : 0.0f);
        wrongApply += out[i] != (keep ? x[i] * (1 / 0.3f) : 0.0f);
        sameAsOtherStream += keep == (counter_random::uniform(otherStream, i) < 0.3);
    }
    report("dare_keep_mask keeps ~30%", std::fabs(kept / n - 0.3), 0.03);
    report("dare_keep_mask = counter_random.keeps", wrongMask, 0);
    report("dare_apply = kept x * rescale", wrongApply, 0);
    // Independent masks agree on 0.3² + 0.7² = 58% of entries; the old generator's were identical per stream.
    report("another module's stream draws another mask", std::fabs(sameAsOtherStream / n - 0.58), 0.03);
    if (const char* path = std::getenv("AMALGAM_KEEP_MASK_CASES")) check_masks_against_java(path);
}

int main() {
    for (bool aligned : {false, true}) {
        check_gemm("sgemm_nn", sgemm_nn, false, false, false, aligned);
        check_gemm("sgemm_nt", sgemm_nt, false, true, false, aligned);
        check_gemm("sgemm_tn", sgemm_tn, true, false, false, aligned);
        check_gemm("sgemm_tt", sgemm_tt, true, true, false, aligned);
        check_gemm("gemm_tf32_nn vs TF32 inputs", gemm_tf32_nn, false, false, true, aligned);
        check_gemm("gemm_tf32_nt vs TF32 inputs", gemm_tf32_nt, false, true, true, aligned);
        check_gemm("gemm_tf32_tn vs TF32 inputs", gemm_tf32_tn, true, false, true, aligned);
        check_gemm("gemm_tf32_tt vs TF32 inputs", gemm_tf32_tt, true, true, true, aligned);
    }
    check_lora();
    check_elementwise();
    check_reductions();
    check_softmax();
    check_layernorm();
    check_param_grads_grid_stride();
    check_rmsnorm();
    check_rope();
    check_selection();
    check_chunk_offsets();
    check_merge();
    check_dare();
    std::printf("%s: %d failed\n", failures ? "FAILED" : "ALL PASSED", failures);
    return failures ? 1 : 0;
}
