package amalgam.merge.algorithms;

import amalgam.kernels.Backend;
import amalgam.kernels.Backends;
import amalgam.kernels.WorkerPool;
import amalgam.kernels.ffm.NativeLibrary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every per-tensor merge gives the same floats on the cpu and native backends as on the scalar reference
 * (the fixtures' context, on which the docs/merging.md examples check what each merge means): the pruning and the
 * elected mean run on the backend, with every election, divisor and rank window the methods ask for.
 * Large enough for the parallel paths (more than 2^16 entries).
 */
class MergeOnEveryBackendTest {

    private static final WorkerPool POOL = WorkerPool.of(2);
    private static final int ROWS = 27, COLS = 2503;
    /** The reference's results, computed once for both backends (the inputs are seeded alike). */
    private static final Map<String, float[]> EXPECTED = new ConcurrentHashMap<>();

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    private static List<MergeSettings> settings() {
        MergeSettings base = MergeSettings.defaults().withDensity(0.3).withSeed(5).withGamma(0.05);
        List<MergeSettings> all = new ArrayList<>();
        for (MajoritySign sign : MajoritySign.values()) {
            all.add(base.withMajoritySign(sign));
            all.add(base.withMajoritySign(sign).withMergekit(0.7));
            all.add(base.withMajoritySign(sign).withMergekit(0.7).withNormalize(false));
        }
        return all;
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "native"})
    void mergesMatchTheScalarReference(String name) {
        assumeTrue(!name.equals("native") || NativeLibrary.isAvailable(), NativeLibrary.unavailableReason());
        Backend backend = Backends.create(name, POOL);
        ComputeContext fast = new ComputeContext(backend, POOL);
        Random random = new Random(11);
        int n = ROWS * COLS;
        // Half the entries from few magnitudes, so thresholds fall inside runs of ties.
        List<float[]> tensors = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            float[] v = Fixtures.random(random, n);
            for (int i = 0; i < n; i += 2) v[i] = (random.nextInt(5) - 2) / 2f;
            tensors.add(v);
        }
        double[] weights = {1, 0.5, -0.3, 2};
        for (MergeMethod method : MergeMethod.values()) {
            if (!method.isTensorMerge()) continue;
            for (MergeSettings s : settings()) {
                float[] expected = EXPECTED.computeIfAbsent(method + " " + s,
                        key -> Fixtures.merge(method.tensorMerge(Fixtures.CTX, s), n, tensors, weights));
                float[] actual = Fixtures.merge(method.tensorMerge(fast, s), n, tensors, weights);
                assertArrayEquals(expected, actual, name + " " + method.cliName() + " " + s);
            }
        }
    }
}
