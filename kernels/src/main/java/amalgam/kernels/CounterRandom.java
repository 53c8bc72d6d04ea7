package amalgam.kernels;

/**
 * A counter-based random generator: the number for (seed, stream, index) is a pure hash of the three, so any
 * chunk of a DARE mask can be drawn by any thread in any order and still be the same mask for the same
 * {@code --seed}. The mixer is SplitMix64's finaliser, which passes BigCrush when fed a counter.
 *
 * <p>It lives here, below both the CPU merges and the CUDA kernels, because it is the one definition of the
 * DARE masks: native/cuda/counter_random.cuh is its line-for-line twin, and the host emulation checks that the
 * kernels draw exactly these masks.
 */
public final class CounterRandom {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private CounterRandom() {}

    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A key for one random stream (for example one adapter of one module), derived from the seed. */
    public static long streamKey(long seed, long stream) {
        return mix64(mix64(seed + GOLDEN_GAMMA) + (stream + 1) * GOLDEN_GAMMA);
    }

    /** A uniform double in [0, 1) for element {@code index} of the stream with the given key. */
    public static double uniform(long streamKey, long index) {
        long bits = mix64(streamKey ^ mix64((index + 1) * GOLDEN_GAMMA));
        return (bits >>> 11) * 0x1.0p-53;
    }

    /**
     * The stream of adapter {@code adapter} within {@code stream} (a module, or a tensor of one): distinct for
     * up to 65,537 adapters, so every tensor of every adapter gets its own mask.
     */
    public static long adapterStream(long stream, int adapter) {
        return stream * 65_537 + adapter;
    }

    /** Whether DARE keeps element {@code index} of {@code adapter} in {@code stream} with probability p. */
    public static boolean keeps(long seed, long stream, int adapter, long index, double probability) {
        return uniform(streamKey(seed, adapterStream(stream, adapter)), index) < probability;
    }
}
