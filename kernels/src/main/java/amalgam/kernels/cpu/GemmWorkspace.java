package amalgam.kernels.cpu;

/**
 * One thread's packing buffers. They only grow, so once a thread has seen its largest shape, GEMM calls on
 * it allocate nothing. Panels live on the heap because {@code FloatVector.fromArray} is the fastest load.
 */
final class GemmWorkspace {

    private static final ThreadLocal<GemmWorkspace> PER_THREAD = ThreadLocal.withInitial(GemmWorkspace::new);

    /** The micro-kernel's output, folded into C with alpha and beta by {@link TileWriter}; SmallGemm's too. */
    final float[] tile = new float[Math.max(MicroKernel.MR * MicroKernel.NR, SmallGemm.MR * MicroKernel.LANES)];
    private float[] packedA = new float[0];
    private float[] packedB = new float[0];
    private float[] vector = new float[0];
    private float[] sums = new float[0];

    static GemmWorkspace current() {
        return PER_THREAD.get();
    }

    float[] packedA(int floats) {
        if (packedA.length < floats) packedA = new float[floats];
        return packedA;
    }

    float[] packedB(int floats) {
        if (packedB.length < floats) packedB = new float[floats];
        return packedB;
    }

    /** The vector operand of a matrix–vector product, gathered into one contiguous run. */
    float[] vector(int floats) {
        if (vector.length < floats) vector = new float[floats];
        return vector;
    }

    /** A block of a matrix–vector product's running sums. */
    float[] sums(int floats) {
        if (sums.length < floats) sums = new float[floats];
        return sums;
    }
}
