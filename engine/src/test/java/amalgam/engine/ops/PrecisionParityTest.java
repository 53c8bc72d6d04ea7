package amalgam.engine.ops;

import amalgam.engine.DType;
import amalgam.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every op computed in F32 on the fast backend equals the same op in F64 on the reference, in value and in
 * gradient, on shapes that exercise broadcasting, views and lengths that are not multiples of a vector.
 */
class PrecisionParityTest {

    private final Random random = new Random(23);

    private void assertParity(String name, Function<Tensor[], Tensor> f, int[]... shapes) {
        double[][] values = new double[shapes.length][];
        for (int i = 0; i < shapes.length; i++) values[i] = Tensor.rand(DType.F64, random, 0.5, 2, shapes[i]).toDoubleArray();
        Tensor[] singles = new Tensor[shapes.length], doubles = new Tensor[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            singles[i] = Tensor.of(DType.F32, values[i], shapes[i]).requiresGrad(true);
            doubles[i] = Tensor.of(DType.F64, values[i], shapes[i]).requiresGrad(true);
        }
        Tensor y32 = f.apply(singles), y64 = f.apply(doubles);
        assertClose(name + " value", y64.toDoubleArray(), y32.toDoubleArray());
        double[] w = Tensor.randn(DType.F64, random, y64.shape()).toDoubleArray();
        y32.mul(Tensor.of(DType.F32, w, y32.shape())).sum().backward();
        y64.mul(Tensor.of(DType.F64, w, y64.shape())).sum().backward();
        for (int i = 0; i < shapes.length; i++) {
            assertClose(name + " gradient " + i, doubles[i].grad().toDoubleArray(), singles[i].grad().toDoubleArray());
        }
    }

    private static void assertClose(String what, double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length, what);
        double scale = 1e-30;
        for (double e : expected) scale = Math.max(scale, Math.abs(e));
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], 1e-4 * scale, what + " element " + i);
    }

    @Test
    void elementwiseWithBroadcastingAndViews() {
        assertParity("add", in -> in[0].add(in[1]), new int[] {5, 33}, new int[] {33});
        // Above the fast backend's threshold for splitting work over threads.
        assertParity("large broadcast mul", in -> in[0].mul(in[1]).gelu(), new int[] {300, 257}, new int[] {257});
        assertParity("sub", in -> in[0].sub(in[1]), new int[] {7, 1, 9}, new int[] {3, 1});
        assertParity("mul of a transposed view", in -> in[0].mT().mul(in[1]), new int[] {17, 9}, new int[] {9, 17});
        assertParity("div", in -> in[0].div(in[1]), new int[] {2, 3, 65}, new int[] {1, 3, 1});
        assertParity("scalar ops", in -> in[0].mul(1.5).add(-0.25).div(3), new int[] {257});
        assertParity("pointwise", in -> in[0].exp().add(in[0].log()).add(in[0].sqrt()).add(in[0].tanh())
                .add(in[0].sigmoid()).add(in[0].sub(1).relu()).add(in[0].gelu()).add(in[0].geluTanh())
                .add(in[0].silu()), new int[] {3, 67});
    }

    @Test
    void matmulsReductionsAndRows() {
        assertParity("matmul", in -> in[0].matmul(in[1]), new int[] {33, 17}, new int[] {17, 7});
        assertParity("batched matmul with transposes", in -> in[0].matmul(in[1].mT()), new int[] {3, 9, 5}, new int[] {3, 7, 5});
        assertParity("sums", in -> in[0].sum(1, true).add(in[0].mean(new int[] {0, 2}, true)), new int[] {4, 9, 11});
        assertParity("max", in -> in[0].max(1, false), new int[] {6, 35});
        assertParity("softmax", in -> in[0].softmax(-1).add(in[0].logSoftmax(0)), new int[] {5, 37});
        assertParity("layer norm", in -> LayerNorm.layerNorm(in[0], in[1], in[2], 1e-5), new int[] {6, 40}, new int[] {40},
                new int[] {40});
        assertParity("rms norm of a transposed view", in -> RmsNorm.rmsNorm(in[0].mT(), in[1], 1e-6),
                new int[] {6, 67}, new int[] {6});
        assertParity("rope", in -> Rope.rotate(in[0], in[1], in[2]), new int[] {2, 3, 5, 70}, new int[] {5, 70},
                new int[] {5, 70});
        assertParity("cross-entropy", in -> CrossEntropy.crossEntropy(in[0].mul(3), new int[] {0, 5, 9, 2}), new int[] {4, 10});
    }

    @Test
    void movement() {
        assertParity("permute + reshape", in -> in[0].permute(2, 0, 1).reshape(-1, 6), new int[] {2, 3, 8});
        assertParity("slice + concat", in -> Joins.concat(1, in[0].slice(1, 2, 5), in[1]), new int[] {4, 7}, new int[] {4, 2});
        assertParity("index select", in -> in[0].indexSelect(0, new int[] {3, 1, 3}), new int[] {5, 19});
        assertParity("expand + sumTo", in -> in[0].expand(4, 3, 9).sumTo(3, 1), new int[] {3, 9});
    }
}
