package amalgam.merge.dil;

import amalgam.engine.data.FashionMnist;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The configuration reported with the results is the one that ran, whatever the preset asked for. */
class DilConfigTest {

    @Test
    void theFullPresetOnTheEmbeddedSubsetReportsTheImagesItHas() {
        FashionMnist embedded = FashionMnist.embedded();
        DilConfig fitted = DilConfig.full("embedded", List.of(0L), 1).fittedTo(embedded);
        assertEquals(embedded.train().size(), fitted.trainPerDomain());
        assertEquals(embedded.test().size(), fitted.testPerDomain());
        assertEquals(embedded.train().size(), ((Number) fitted.asMap().get("train_per_domain")).intValue());
        assertEquals(10, fitted.pretrainEpochs(), "only the sizes change");
    }

    @Test
    void aPresetSmallerThanTheDataIsKept() {
        DilConfig quick = DilConfig.quick("embedded", List.of(0L), 1);
        assertEquals(quick, quick.fittedTo(FashionMnist.embedded()));
    }
}
