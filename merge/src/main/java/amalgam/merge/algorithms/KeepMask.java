package amalgam.merge.algorithms;

/**
 * Decides which entries a random sparsifier keeps. The default draws from {@link CounterRandom}; tests pass
 * fixed masks so that hand-checked examples do not depend on a generator.
 */
@FunctionalInterface
public interface KeepMask {

    /** Whether element {@code index} of adapter {@code adapter} in {@code stream} is kept with probability p. */
    boolean keep(int adapter, long stream, long index, double probability);

    /** Keeps an element when its counter-based uniform number falls below p: reproducible and order-free. */
    static KeepMask seeded(long seed) {
        return (adapter, stream, index, probability) ->
                CounterRandom.uniform(CounterRandom.streamKey(seed, stream * 65_537 + adapter), index) < probability;
    }
}
