package amalgam.merge.cli;

import amalgam.engine.io.FileDType;
import amalgam.engine.io.FloatTensor;
import amalgam.kernels.FloatSegments;
import amalgam.merge.adapter.LoraModule;
import amalgam.merge.adapter.TestAdapters;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

/**
 * Small random adapters (Linear and Embedding modules) for the inspect tests, written as F32 (so nothing rounds on the way to the file), with
 * each module's dense update ΔW = (alpha/r)·B·A computed here in double: the oracle the output is checked against.
 */
final class InspectAdapters {

    /** A dense update, row-major. */
    record Delta(int out, int in, double[] values) {

        double dot(Delta other) {
            double sum = 0;
            for (int i = 0; i < values.length; i++) sum += values[i] * other.values[i];
            return sum;
        }

        double cosine(Delta other) {
            return dot(other) / Math.sqrt(dot(this) * other.dot(other));
        }

        /** Share of entries nonzero in both with equal signs, over the given rows. */
        double signAgreement(Delta other, int[] rows) {
            long agree = 0, compared = 0;
            for (int row : rows) {
                for (int c = 0; c < in; c++) {
                    double x = values[row * in + c], y = other.values[row * in + c];
                    if (x == 0 || y == 0) continue;
                    compared++;
                    if (Math.signum(x) == Math.signum(y)) agree++;
                }
            }
            return (double) agree / compared;
        }

        double signAgreement(Delta other) {
            return signAgreement(other, IntStream.range(0, out).toArray());
        }

        double[] singularValues() {
            double[][] rows = new double[out][in];
            for (int i = 0; i < out; i++) System.arraycopy(values, i * in, rows[i], 0, in);
            return new SingularValueDecomposition(new Array2DRowRealMatrix(rows)).getSingularValues();
        }
    }

    /** One written adapter and its modules' dense updates by module name. */
    record Written(Path dir, Map<String, Delta> deltas) {}

    /** lora_A's and lora_B's key suffixes of a Linear and of an Embedding module. */
    private static final String[][] FACTOR_SUFFIXES = {{".lora_A.weight", ".lora_B.weight"},
            {".lora_embedding_A", ".lora_embedding_B"}};

    private InspectAdapters() {}

    /**
     * Writes the modules {@code add} adds, rank {@code r} and lora_alpha {@code alpha}; {@code edit} may
     * change the factors (keyed as in the file) before they are written and their updates computed.
     */
    static Written write(Path dir, long seed, int r, double alpha, Consumer<TestAdapters> add,
                         Consumer<Map<String, FloatTensor>> edit) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            TestAdapters t = new TestAdapters(arena, seed);
            add.accept(t);
            edit.accept(t.tensors());
            Map<String, Delta> deltas = new LinkedHashMap<>();
            for (String key : t.tensors().keySet()) {
                for (String[] suffixes : FACTOR_SUFFIXES) {
                    if (!key.endsWith(suffixes[0])) continue;
                    String module = key.substring(LoraModule.KEY_PREFIX.length(), key.length() - suffixes[0].length());
                    FloatTensor b = t.tensors().get(LoraModule.KEY_PREFIX + module + suffixes[1]);
                    deltas.put(module, delta(b, t.tensors().get(key), alpha / r));
                }
            }
            t.write(dir, TestAdapters.config(r, alpha), FileDType.F32);
            return new Written(dir, deltas);
        }
    }

    /** Multiplies lora_B of every module by −1: the same adapter pointing the other way. */
    static void negateB(Map<String, FloatTensor> tensors) {
        tensors.forEach((key, t) -> {
            if (!key.endsWith(".lora_B.weight") && !key.endsWith(".lora_embedding_B")) return;
            for (long i = 0; i < t.elementCount(); i++) FloatSegments.set(t.data(), i, -FloatSegments.get(t.data(), i));
        });
    }

    private static Delta delta(FloatTensor b, FloatTensor a, double scaling) {
        int out = (int) b.shape()[0], rank = (int) b.shape()[1], in = (int) a.shape()[1];
        double[] values = new double[out * in];
        for (int i = 0; i < out; i++) {
            for (int j = 0; j < in; j++) {
                double sum = 0;
                for (int k = 0; k < rank; k++) {
                    sum += (double) FloatSegments.get(b.data(), (long) i * rank + k)
                            * FloatSegments.get(a.data(), (long) k * in + j);
                }
                values[i * in + j] = scaling * sum;
            }
        }
        return new Delta(out, in, values);
    }
}
