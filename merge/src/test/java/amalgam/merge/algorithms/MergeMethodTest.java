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
}
