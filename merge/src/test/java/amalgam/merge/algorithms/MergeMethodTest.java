package amalgam.merge.algorithms;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MergeMethodTest {

    @Test
    void peftSvdNamesAreDeltaSpaceAliases() {
        assertEquals(MergeMethod.TIES, MergeMethod.fromName("ties_svd"));
        assertEquals(MergeMethod.DARE_LINEAR, MergeMethod.fromName("dare_linear_svd"));
        assertEquals(MergeMethod.DARE_TIES, MergeMethod.fromName("DARE-TIES-SVD"));
        assertEquals(MergeMethod.MAGNITUDE_PRUNE, MergeMethod.fromName("magnitude_prune_svd"));
        assertEquals(MergeMethod.SVD, MergeMethod.fromName("svd"));
        assertTrue(MergeMethod.isDeltaSpaceAlias("ties_svd"));
        assertFalse(MergeMethod.isDeltaSpaceAlias("svd"));
    }

    @Test
    void everyMethodHasItsCliName() {
        for (MergeMethod m : MergeMethod.values()) assertEquals(m, MergeMethod.fromName(m.cliName()));
    }

    @Test
    void unknownNamesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> MergeMethod.fromName("average"));
        assertThrows(IllegalArgumentException.class, () -> MergeMethod.fromName("cat_svd"));
    }

    @Test
    void theLearnableMethodsAreTaskArithmeticTiesAndDareTies() {
        assertEquals(java.util.List.of(MergeMethod.LINEAR, MergeMethod.TIES, MergeMethod.DARE_TIES), MergeMethod.learnable());
        assertEquals(MergeMethod.LINEAR, MergeMethod.learnableFromName("task_arithmetic"));
        assertEquals("task_arithmetic", MergeMethod.LINEAR.reportName());
        assertEquals(MergeMethod.DARE_TIES, MergeMethod.learnableFromName("dare_ties"));
        for (String refused : new String[] {"magnitude_prune", "ties_svd", "lego", "average"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MergeMethod.learnableFromName(refused));
            assertTrue(e.getMessage().contains("task_arithmetic, ties, dare_ties"), e.getMessage());
        }
    }
}
