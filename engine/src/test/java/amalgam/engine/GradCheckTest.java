package amalgam.engine;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertThrows;

/** The gradient checker must catch wrong gradients, or every passing gradient check means nothing. */
class GradCheckTest {

    @Test
    void acceptsACorrectGradient() {
        GradCheck.check("x²", in -> in[0].mul(in[0]), GradCheck.variable(new Random(1), 3, 2));
    }

    @Test
    void rejectsAMissingGradientPath() {
        Tensor x = GradCheck.variable(new Random(2), 3, 2);
        // detach hides x·x from autograd, so the analytic gradient lacks one of the two terms.
        assertThrows(AssertionFailedError.class, () -> GradCheck.check("x·detach(x)", in -> in[0].mul(in[0].detach()), x));
    }

    @Test
    void rejectsAScaledGradient() {
        Tensor x = GradCheck.variable(new Random(3), 4);
        // Autograd sees 2·x; the numeric difference sees the value, where a constant was swapped in mid-way.
        assertThrows(AssertionFailedError.class, () -> GradCheck.check("mismatch",
                in -> in[0].mul(2).add(in[0].detach().mul(in[0].detach())), x));
    }
}
