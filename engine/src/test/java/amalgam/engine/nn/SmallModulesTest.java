package amalgam.engine.nn;

import amalgam.engine.DType;
import amalgam.engine.GradCheck;
import amalgam.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SmallModulesTest {

    private final Random random = new Random(41);

    @Test
    void sequentialNamesChildrenByPositionAndComposes() {
        Linear a = new Linear(3, 4, true, DType.F64, random), b = new Linear(4, 2, true, DType.F64, random);
        Sequential net = new Sequential(a, Activation.tanh(), b);
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), new ArrayList<>(net.namedParameters().keySet()));
        Tensor x = Tensor.randn(DType.F64, random, 5, 3);
        assertArrayEquals(b.forward(a.forward(x).tanh()).toDoubleArray(), net.forward(x).toDoubleArray(), 0);
        List<Tensor> inputs = new ArrayList<>(net.trainableParameters());
        GradCheck.check("sequential", in -> net.forward(x), inputs.toArray(Tensor[]::new));
    }

    @Test
    void dropoutActsOnlyWhileTraining() {
        Dropout dropout = new Dropout(0.5, 9);
        Sequential net = new Sequential(Activation.relu(), dropout);
        Tensor x = Tensor.ones(DType.F32, 1000);
        double kept = 0;
        for (double v : net.forward(x).toDoubleArray()) kept += v;
        assertTrue(Math.abs(kept - 1000) < 150, "inverted dropout keeps the expected sum: " + kept);
        net.train(false);
        assertTrue(!dropout.isTraining());
        assertArrayEquals(x.toDoubleArray(), net.forward(x).toDoubleArray());
    }

    @Test
    void embeddingLooksUpRowsAndTrains() {
        Embedding embedding = new Embedding(5, 3, DType.F64, random);
        Tensor rows = embedding.lookup(new int[] {4, 0, 4}, 3);
        assertArrayEquals(embedding.weight().slice(0, 4, 5).toDoubleArray(), rows.slice(0, 0, 1).toDoubleArray());
        GradCheck.check("embedding module", in -> embedding.lookup(new int[] {1, 1, 3}, 3).tanh(), embedding.weight());
        assertNotEquals(0.0, embedding.weight().grad().slice(0, 1, 2).square().sum().item());
    }
}
