package amalgam.merge.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The line that starts each seed of a study says how far along it is and how long the rest will take. */
class StudyRunTest {

    @Test
    void theSeedLineEstimatesTheTimeLeftFromTheSeedsDone() {
        assertEquals("seed 1/5 (seed 0):", StudyRun.seedLine(0, 5, 0, 0));
        assertEquals("seed 2/5 (seed 7), ~2 min left:", StudyRun.seedLine(1, 5, 7, 30_000_000_000L));
        assertEquals("seed 5/5 (seed 4), ~10 s left:", StudyRun.seedLine(4, 5, 4, 40_000_000_000L));
    }
}
