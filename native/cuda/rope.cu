// Rotary position embedding in the rotate-half convention (Hugging Face's), the semantics of
// amalgam.kernels.Backend.ropeRows: row r of dim elements is at token r % tokens of the [tokens, dim] cos and
// sin tables. One thread per (row, pair j / j + dim/2), in double and rounded once as the reference does.
// Launch: any 1-D grid; the kernel walks rows·dim/2 pairs grid-stride. out may be x.
extern "C" __global__ void rope_rows_f32(int rows, int tokens, int dim, const float* x, const float* cos,
                                         const float* sin, float* out) {
    const long long half = dim / 2, pairs = (long long) rows * half;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < pairs;
         i += (long long) gridDim.x * blockDim.x) {
        const long long r = i / half, j = i % half;
        const long long at = r * dim + j, t = (r % tokens) * dim + j;
        const double x1 = x[at], x2 = x[at + half];
        out[at] = (float) (x1 * cos[t] - x2 * sin[t]);
        out[at + half] = (float) (x2 * cos[t + half] + x1 * sin[t + half]);
    }
}
