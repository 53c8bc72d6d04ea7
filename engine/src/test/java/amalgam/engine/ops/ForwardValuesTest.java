package amalgam.engine.ops;

import amalgam.engine.DType;
import amalgam.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Forward values against hand-checked examples and naive loops (F32, reference backend). */
class ForwardValuesTest {

    private final Random random = new Random(11);

    private static Tensor f64(double[] values, int... shape) {
        return Tensor.of(DType.F64, values, shape);
    }

    /** Naive [.., m, k]·[k, n] on arrays, the oracle for the GEMM routing. */
    private static double[] naiveMatmul(double[] a, double[] b, int batch, int m, int k, int n, boolean bBatched) {
        double[] c = new double[batch * m * n];
        for (int t = 0; t < batch; t++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += a[t * m * k + i * k + p] * b[(bBatched ? t * k * n : 0) + p * n + j];
                    c[t * m * n + i * n + j] = s;
                }
        return c;
    }

    @Test
    void matmulMatchesNaiveLoopsOnAwkwardShapes() {
        int[][] shapes = {{1, 1, 1, 1}, {1, 7, 33, 5}, {3, 17, 9, 2}, {2, 1, 8, 1}};
        for (int[] s : shapes) {
            int batch = s[0], m = s[1], k = s[2], n = s[3];
            Tensor a = Tensor.randn(DType.F32, random, batch, m, k), b = Tensor.randn(DType.F32, random, k, n);
            Tensor bb = Tensor.randn(DType.F32, random, batch, k, n);
            assertClose(naiveMatmul(a.toDoubleArray(), b.toDoubleArray(), batch, m, k, n, false),
                    a.matmul(b).toDoubleArray(), 1e-4);
            assertClose(naiveMatmul(a.toDoubleArray(), bb.toDoubleArray(), batch, m, k, n, true),
                    a.matmul(bb).toDoubleArray(), 1e-4);
            // The same products through transposed views (transpose flags, not copies).
            Tensor at = a.mT().contiguous().mT(), bt = b.mT().contiguous().mT();
            assertClose(a.matmul(b).toDoubleArray(), at.matmul(bt).toDoubleArray(), 1e-5);
        }
    }

    @Test
    void handCheckedMatmul() {
        Tensor a = f64(new double[] {1, 2, 3, 4, 5, 6}, 2, 3), b = f64(new double[] {1, 0, 0, 1, 1, 1}, 3, 2);
        assertArrayEquals(new double[] {4, 5, 10, 11}, a.matmul(b).toDoubleArray());
        assertArrayEquals(new double[] {17, 22, 27, 22, 29, 36, 27, 36, 45}, a.mT().matmul(a).toDoubleArray());
    }

    @Test
    void reductionsAlongAxes() {
        Tensor x = f64(new double[] {1, 5, 2, 7, 3, 4}, 2, 3);
        assertEquals(22, x.sum().item());
        assertArrayEquals(new int[] {}, x.sum().shape());
        assertArrayEquals(new double[] {8, 8, 6}, x.sum(0, false).toDoubleArray());
        assertArrayEquals(new int[] {2, 1}, x.sum(1, true).shape());
        assertArrayEquals(new double[] {8.0 / 3, 14.0 / 3}, x.mean(1, true).toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {5, 7}, x.max(1, false).toDoubleArray());
        assertArrayEquals(new double[] {7, 5, 4}, x.max(0, false).toDoubleArray());
        assertArrayEquals(new double[] {8, 8, 6}, x.sumTo(1, 3).toDoubleArray());
    }

    @Test
    void maxSplitsTheGradientAmongTies() {
        Tensor x = f64(new double[] {3, 1, 3}, 1, 3).requiresGrad(true);
        x.max(1, false).sum().backward();
        assertArrayEquals(new double[] {0.5, 0, 0.5}, x.grad().toDoubleArray());
    }

    @Test
    void softmaxAndCrossEntropyValues() {
        Tensor logits = f64(new double[] {1, 2, 3, 0, 0, 0}, 2, 3);
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertArrayEquals(new double[] {Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z, 1 / 3.0, 1 / 3.0, 1 / 3.0},
                logits.softmax(-1).toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {1 - Math.log(z), 2 - Math.log(z)},
                logits.logSoftmax(1).slice(1, 0, 2).slice(0, 0, 1).flatten().toDoubleArray(), 1e-12);
        double l0 = Math.log(z) - 2, l1 = Math.log(3);
        assertEquals((l0 + l1) / 2, CrossEntropy.crossEntropy(logits, new int[] {1, 0}).item(), 1e-12);
        assertEquals(l0 + l1, CrossEntropy.crossEntropy(logits, new int[] {1, 0}, CrossEntropy.Reduction.SUM).item(),
                1e-12);
        assertThrows(IndexOutOfBoundsException.class, () -> CrossEntropy.crossEntropy(logits, new int[] {3, 0}));
        // An ignored row takes no part: the mean is over the rows left, as torch's ignore_index gives.
        assertEquals(l1, CrossEntropy.crossEntropy(logits, new int[] {CrossEntropy.IGNORE, 0}).item(), 1e-12);
        assertEquals(l0, CrossEntropy.crossEntropy(logits, new int[] {1, CrossEntropy.IGNORE},
                CrossEntropy.Reduction.SUM).item(), 1e-12);
        assertTrue(Double.isNaN(CrossEntropy.crossEntropy(logits,
                new int[] {CrossEntropy.IGNORE, CrossEntropy.IGNORE}).item()));
    }

    @Test
    void viewsShareStorage() {
        Tensor x = f64(new double[] {0, 1, 2, 3, 4, 5}, 2, 3);
        Tensor r = x.reshape(3, 2);
        assertSame(x.data(), r.data());
        Tensor t = x.mT();
        assertSame(x.data(), t.data());
        assertArrayEquals(new double[] {0, 3, 1, 4, 2, 5}, t.toDoubleArray());
        assertArrayEquals(new double[] {1, 2, 4, 5}, x.slice(1, 1, 3).toDoubleArray());
        assertEquals(5, x.slice(0, 1, 2).get(0, 2));
        assertArrayEquals(new double[] {0, 3, 1, 4, 2, 5}, t.reshape(6).toDoubleArray()); // copies, not a view
        Tensor columns = Tensor.of(DType.F64, new double[24], 2, 12).slice(1, 0, 6); // rows of 6 in rows of 12
        Tensor split = columns.reshape(2, 2, 3);
        assertSame(columns.data(), split.data(), "splitting a strided axis is still a view");
        assertArrayEquals(new long[] {12, 3, 1}, split.strides());
        assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, t.reshape(3, 2).mT().reshape(6).toDoubleArray());
        assertArrayEquals(new int[] {3, 2}, x.reshape(-1, 2).shape());
        assertThrows(IllegalArgumentException.class, () -> x.reshape(4, 2));
    }

    @Test
    void concatIndexSelectAndEmbedding() {
        Tensor a = f64(new double[] {1, 2, 3, 4}, 2, 2), b = f64(new double[] {9, 8}, 2, 1);
        assertArrayEquals(new double[] {1, 2, 9, 3, 4, 8}, Joins.concat(1, a, b).toDoubleArray());
        assertArrayEquals(new double[] {1, 2, 3, 4, 1, 2, 3, 4}, Joins.concat(0, a, a).toDoubleArray());
        assertArrayEquals(new double[] {3, 4, 3, 4, 1, 2}, a.indexSelect(0, new int[] {1, 1, 0}).toDoubleArray());
        assertArrayEquals(new double[] {2, 1, 4, 3}, a.indexSelect(1, new int[] {1, 0}).toDoubleArray());
        Tensor e = Joins.embedding(a, new int[] {1, 0, 1}, 3, 1);
        assertArrayEquals(new int[] {3, 1, 2}, e.shape());
        assertArrayEquals(new double[] {3, 4, 1, 2, 3, 4}, e.toDoubleArray());
        assertThrows(IndexOutOfBoundsException.class, () -> a.indexSelect(0, new int[] {2}));
        assertThrows(IllegalArgumentException.class, () -> Joins.concat(0, a, b));
    }

    @Test
    void layerNormNormalisesEachRow() {
        Tensor x = Tensor.randn(DType.F64, random, 4, 16).mul(3).add(2);
        double[] y = LayerNorm.layerNorm(x, null, null, 0).toDoubleArray();
        for (int r = 0; r < 4; r++) {
            double mean = 0, var = 0;
            for (int j = 0; j < 16; j++) mean += y[r * 16 + j] / 16;
            for (int j = 0; j < 16; j++) var += (y[r * 16 + j] - mean) * (y[r * 16 + j] - mean) / 16;
            assertEquals(0, mean, 1e-12);
            assertEquals(1, var, 1e-9);
        }
    }

    @Test
    void dropoutZeroesAboutPAndScalesTheRest() {
        Tensor x = Tensor.ones(DType.F32, 10_000);
        double[] y = Dropout.dropout(x, 0.25, new Random(3)).toDoubleArray();
        int zeros = 0;
        for (double v : y) {
            if (v == 0) zeros++;
            else assertEquals(1 / 0.75, v, 1e-6);
        }
        assertEquals(2500, zeros, 150);
        assertArrayEquals(Dropout.dropout(x, 0.25, new Random(3)).toDoubleArray(), y, "same seed, same mask");
    }

    @Test
    void broadcastingShapesAndErrors() {
        Tensor a = Tensor.ones(DType.F32, 2, 1, 4), b = Tensor.ones(DType.F32, 3, 1);
        assertArrayEquals(new int[] {2, 3, 4}, a.add(b).shape());
        assertThrows(IllegalArgumentException.class, () -> a.add(Tensor.ones(DType.F32, 3)));
        assertThrows(IllegalArgumentException.class, () -> a.add(Tensor.ones(DType.F64, 4)));
    }

    private static void assertClose(double[] expected, double[] actual, double tol) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol * Math.max(1, Math.abs(expected[i])), "element " + i);
        }
    }
}
