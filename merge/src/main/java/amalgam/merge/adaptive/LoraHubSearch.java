package amalgam.merge.adaptive;

import org.apache.commons.math3.exception.TooManyEvaluationsException;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.SimpleBounds;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.CMAESOptimizer;
import org.apache.commons.math3.random.MersenneTwister;

import java.util.function.ToDoubleFunction;

/**
 * Gradient-free coefficient search as LoraHub does it: CMA-ES (Apache Commons Math) over weights in
 * [−1.5, 1.5], starting at 0, with a budget of 40 evaluations of loss(w) + 0.05·mean|wᵢ|. The best point seen is
 * returned even when the budget stops the optimiser mid-generation.
 */
public final class LoraHubSearch {

    public static final double BOUND = 1.5, L1_PENALTY = 0.05, INITIAL_SIGMA = 0.5;
    public static final int EVALUATIONS = 40;

    /** The best weights found, their penalised objective and how many evaluations were spent. */
    public record Result(double[] weights, double objective, int evaluations) {}

    private LoraHubSearch() {}

    public static Result search(int dimensions, ToDoubleFunction<double[]> loss, long seed) {
        return search(dimensions, loss, EVALUATIONS, seed);
    }

    public static Result search(int dimensions, ToDoubleFunction<double[]> loss, int evaluations, long seed) {
        double[] lower = new double[dimensions], upper = new double[dimensions], sigma = new double[dimensions];
        java.util.Arrays.fill(lower, -BOUND);
        java.util.Arrays.fill(upper, BOUND);
        java.util.Arrays.fill(sigma, INITIAL_SIGMA);
        var best = new Object() {
            double[] weights = new double[dimensions];
            double value = Double.POSITIVE_INFINITY;
            int count;
        };
        ObjectiveFunction objective = new ObjectiveFunction(w -> {
            double value = penalised(loss, w);
            best.count++;
            if (value < best.value) {
                best.value = value;
                best.weights = w.clone();
            }
            return value;
        });
        int population = 4 + (int) (3 * Math.log(dimensions)); // CMA-ES's default λ
        CMAESOptimizer optimizer = new CMAESOptimizer(Integer.MAX_VALUE, 0, true, 0, 0,
                new MersenneTwister(seed), false, null);
        try {
            optimizer.optimize(new MaxEval(evaluations), objective, GoalType.MINIMIZE,
                    new InitialGuess(new double[dimensions]), new SimpleBounds(lower, upper),
                    new CMAESOptimizer.Sigma(sigma), new CMAESOptimizer.PopulationSize(population));
        } catch (TooManyEvaluationsException budgetSpent) {
            // The usual way out: the budget, not convergence, ends a 40-evaluation search.
        }
        return new Result(best.weights, best.value, best.count);
    }

    /** loss(w) + 0.05·mean|w|, LoraHub's objective. */
    public static double penalised(ToDoubleFunction<double[]> loss, double[] w) {
        double l1 = 0;
        for (double v : w) l1 += Math.abs(v);
        return loss.applyAsDouble(w) + L1_PENALTY * l1 / w.length;
    }
}
