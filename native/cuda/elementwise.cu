// Elementwise kernels with the semantics of amalgam.kernels.UnaryOp / BinaryOp. Op codes are the numbers
// CudaOpCodes assigns on the Java side. Launch: any 1-D grid; every kernel walks its range grid-stride.
#include <cmath>

#define GRID_STRIDE(i, n) \
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < (n); \
         i += (long long) gridDim.x * blockDim.x)

// 1/(1 + e^−v) from e^−|v|: neither tail overflows or loses relative accuracy.
__device__ __forceinline__ double logistic(double v) {
    const double e = exp(-fabs(v));
    return v >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}

// Computed in double and rounded once, with the reference's formulas (UnaryOp.apply): the results then
// agree to about an ulp, and the cost hides behind memory traffic. GELU goes through erfc and the logistic
// function rather than 1 + erf or 1 + tanh, which cancel for x ≪ 0.
__device__ __forceinline__ float apply_unary(int op, float x) {
    const double SQRT_2_OVER_PI = 0.7978845608028654, INV_SQRT_2 = 0.7071067811865476,
                 INV_SQRT_2PI = 0.3989422804014327, GELU_C = 0.044715;
    const double v = x;
    switch (op) {
        case 0: return x;                                              // IDENTITY
        case 1: return -x;                                             // NEG
        case 2: return fabsf(x);                                       // ABS
        case 3: return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : x);       // SIGN: keeps ±0 and NaN
        case 4: return (float) (v * v);                                // SQUARE
        case 5: return sqrtf(x);                                       // SQRT (correctly rounded)
        case 6: return 1.0f / x;                                       // RECIPROCAL (correctly rounded)
        case 7: return (float) exp(v);                                 // EXP
        case 8: return (float) log(v);                                 // LOG
        case 9: return (float) tanh(v);                                // TANH
        case 10: return (float) logistic(v);                           // SIGMOID
        case 11: return isnan(x) ? x : (x > 0.0f ? x : 0.0f);          // RELU: NaN propagates
        case 12: return (float) (0.5 * v * erfc(-v * INV_SQRT_2));     // GELU_ERF
        case 13: return (float) (v * logistic(2.0 * SQRT_2_OVER_PI * (v + GELU_C * v * v * v))); // GELU_TANH
        case 14: return (float) (0.5 * erfc(-v * INV_SQRT_2) + v * INV_SQRT_2PI * exp(-0.5 * v * v));
        case 15: {                                                     // GELU_TANH_DERIVATIVE
            // With s = σ(2u): 0.5(1 + tanh u) = s and 1 − tanh²u = 4s(1 − s).
            const double twoU = 2.0 * SQRT_2_OVER_PI * (v + GELU_C * v * v * v);
            const double s = logistic(twoU), oneMinusS = logistic(-twoU);
            return (float) (s + 2.0 * v * s * oneMinusS * SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_C * v * v));
        }
        default: return __int_as_float(0x7fc00000); // unknown code: NaN rather than a plausible number
    }
}

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
    GRID_STRIDE(i, n) out[i] = apply_unary(op, x[i]);
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
