package amalgam.merge.algorithms;

import amalgam.kernels.CounterRandom;

/**
 * Decides which entries a random sparsifier keeps. The default draws from {@link CounterRandom}; tests pass
 * fixed masks so that hand-checked examples do not depend on a generator.
 */
@FunctionalInterface
public interface KeepMask {

    /** Whether element {@code index} of adapter {@code adapter} in {@code stream} is kept with probability p. */
    boolean keep(int adapter, long stream, long index, double probability);

    /**
     * Keeps an element when its counter-based uniform number falls below p: reproducible and order-free, and
     * the same rule the CUDA kernels apply (CounterRandom is shared with them).
     */
    static KeepMask seeded(long seed) {
        return (adapter, stream, index, probability) -> CounterRandom.keeps(seed, stream, adapter, index, probability);
    }
}
