package amalgam.merge.cli;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

import amalgam.kernels.cuda.CudaContext;
import org.junit.jupiter.api.Test;

/** selfcheck --backend: an implementation asked for that cannot run is an error with its reason, not a skip. */
class SelfCheckCommandTest {

    @Test
    void cudaAskedForWithoutAGpuExitsTwoWithTheReason() {
        assumeFalse(CudaContext.isAvailable(), "CUDA is available here, so selfcheck --backend cuda would run it");
        MergeRuns.Run run = MergeRuns.run("selfcheck", "--backend", "cuda");
        // One line: the option, the implementation, and the driver's or loader's own reason.
        run.assertBadInput("--backend", "cuda was asked for but cannot run here", "CUDA is unavailable");
    }

    @Test
    void anUnknownImplementationIsNamedWithTheChoices() {
        MergeRuns.Run run = MergeRuns.run("selfcheck", "--backend", "cudaa");
        run.assertBadInput("--backend", "unknown implementation 'cudaa'", "cuda", "openblas");
    }
}
