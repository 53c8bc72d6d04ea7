package amalgam.merge.adaptive;

import org.junit.jupiter.api.Test;

import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoraHubSearchTest {

    private static final double[] OPTIMUM = {0.7, -0.4, 1.0};
    private static final ToDoubleFunction<double[]> BOWL = w -> {
        double s = 0;
        for (int i = 0; i < w.length; i++) s += (w[i] - OPTIMUM[i]) * (w[i] - OPTIMUM[i]);
        return s;
    };

    @Test
    void approachesTheOptimumOfABowlWithinFortyEvaluations() {
        LoraHubSearch.Result result = LoraHubSearch.search(3, BOWL, 1);
        double atStart = LoraHubSearch.penalised(BOWL, new double[3]); // 1.65
        assertTrue(result.evaluations() <= LoraHubSearch.EVALUATIONS, "evaluations " + result.evaluations());
        assertTrue(result.objective() < 0.3 * atStart, "objective " + result.objective() + " from " + atStart);
        assertEquals(LoraHubSearch.penalised(BOWL, result.weights()), result.objective(), 1e-12);
    }

    @Test
    void staysInsideTheBounds() {
        // The unconstrained optimum (3, −3) lies outside [−1.5, 1.5]²: the search must stop at the box.
        LoraHubSearch.Result result = LoraHubSearch.search(2, w -> (w[0] - 3) * (w[0] - 3) + (w[1] + 3) * (w[1] + 3), 2);
        for (double w : result.weights()) assertTrue(Math.abs(w) <= LoraHubSearch.BOUND, "weight " + w);
        assertTrue(result.weights()[0] > 0.5 && result.weights()[1] < -0.5, java.util.Arrays.toString(result.weights()));
    }

    @Test
    void theSameSeedGivesTheSameSearch() {
        assertArrayEquals(LoraHubSearch.search(3, BOWL, 9).weights(), LoraHubSearch.search(3, BOWL, 9).weights());
    }

    @Test
    void theL1PenaltyIsFivePercentOfTheMeanMagnitude() {
        assertEquals(1 + 0.05 * (1.0 + 2.0) / 2, LoraHubSearch.penalised(w -> 1, new double[] {1, -2}), 1e-15);
    }
}
