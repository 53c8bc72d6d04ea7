// Elementwise kernels with the semantics of amalgam.kernels.UnaryOp / BinaryOp; the unary formulas and
// codes are those of native/include/amalgam_ops.h, shared with the C kernels. Launch: any 1-D grid; every
// kernel walks its range grid-stride.
#include <cmath>

#include "../include/amalgam_ops.h"

#define GRID_STRIDE(i, n) \
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < (n); \
         i += (long long) gridDim.x * blockDim.x)

__device__ __forceinline__ float apply_binary(int op, float a, float b) {
    switch (op) {
        case 0: return a + b;                                          // ADD
        case 1: return a - b;                                          // SUB
        case 2: return a * b;                                          // MUL
        case 3: return a / b;                                          // DIV
        case 4: return (isnan(a) || isnan(b)) ? a + b : fmaxf(a, b);  // MAX: NaN propagates
        case 5: return (isnan(a) || isnan(b)) ? a + b : fminf(a, b);  // MIN
        case 6: return (float) pow((double) a, (double) b);           // POW: double, as the reference
        case 7: return a == b ? 1.0f : 0.0f;                           // EQUAL
        case 8: return a > 0.0f ? b : 0.0f;                            // RELU_BACKWARD
        default: return __int_as_float(0x7fc00000);
    }
}

extern "C" __global__ void unary_f32(int op, long long n, const float* __restrict__ x, float* out) {
    GRID_STRIDE(i, n) out[i] = am_unary(op, x[i]);
}

extern "C" __global__ void affine_f32(long long n, float scale, float shift, const float* x, float* out) {
    // In double and rounded once, as the reference does.
    GRID_STRIDE(i, n) out[i] = (float) ((double) scale * x[i] + shift);
}

extern "C" __global__ void fill_f32(long long n, float value, float* out) {
    GRID_STRIDE(i, n) out[i] = value;
}

// Up to 8 axes; the Java side merges axes that are contiguous in every operand before launching, so most
// calls arrive with rank 1 or 2. All fields are 64-bit so the host can pass the struct as a long[].
constexpr int MAX_RANK = 8;
struct Strides {
    long long rank;
    long long shape[MAX_RANK];
    long long a[MAX_RANK];
    long long b[MAX_RANK];
};

// Offsets into a and b of the row-major element number i of the shape.
__device__ __forceinline__ void strided_offsets(const Strides& s, long long i, long long& ao, long long& bo) {
    ao = 0;
    bo = 0;
    for (int d = (int) s.rank - 1; d > 0; d--) {
        long long index = i % s.shape[d];
        i /= s.shape[d];
        ao += index * s.a[d];
        bo += index * s.b[d];
    }
    ao += i * s.a[0];
    bo += i * s.b[0];
}

extern "C" __global__ void binary_strided_f32(int op, long long n, Strides s, const float* a, const float* b,
                                              float* out) {
    GRID_STRIDE(i, n) {
        long long ao, bo;
        strided_offsets(s, i, ao, bo);
        out[i] = apply_binary(op, a[ao], b[bo]);
    }
}

// Gathers a strided view of src into contiguous dst (only the a-strides of s are used).
extern "C" __global__ void copy_strided_f32(long long n, Strides s, const float* src, float* dst) {
    GRID_STRIDE(i, n) {
        long long ao, bo;
        strided_offsets(s, i, ao, bo);
        dst[i] = src[ao];
    }
}
