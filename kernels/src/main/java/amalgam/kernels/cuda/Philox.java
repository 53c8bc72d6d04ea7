package amalgam.kernels.cuda;

/**
 * Philox4x32-10, the counter-based generator behind the DARE masks (native/cuda/philox.cuh), in Java: the
 * same (seed, adapter, element) gives the same keep decision on the host as on any GPU, which is what makes
 * a CUDA merge reproducible by, and testable against, the CPU.
 */
public final class Philox {

    private static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    private Philox() {}

    /** Ten rounds on counter (c0..c3) under key (k0, k1); returns the four output words. */
    public static int[] block(int c0, int c1, int c2, int c3, int k0, int k1) {
        for (int round = 0; round < 10; round++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            c2 = n2;
            k0 += W0;
            k1 += W1;
        }
        return new int[] {c0, c1, c2, c3};
    }

    /** Uniform in [0, 1) from the top 24 bits of a word: exact in float, identical to the kernel's. */
    public static float uniform(int bits) {
        return (bits >>> 8) * (1.0f / 16777216.0f);
    }

    /**
     * Whether DARE keeps element {@code index} of adapter {@code adapter}: counter (index / 4 as two words,
     * adapter, 0), key = the seed's two words, word index % 4 of the output as a uniform u; kept when u &lt; density.
     */
    public static boolean dareKeep(long seed, int adapter, float density, long index) {
        long group = index >>> 2;
        int[] r = block((int) group, (int) (group >>> 32), adapter, 0, (int) seed, (int) (seed >>> 32));
        return uniform(r[(int) (index & 3)]) < density;
    }
}
