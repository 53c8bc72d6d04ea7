package amalgam.merge.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class NaturalOrderTest {

    @Test
    void layerNumbersCompareByValue() {
        List<String> expected = List.of(
                "model.embed_tokens",
                "model.layers.2.mlp.down_proj",
                "model.layers.2.self_attn.q_proj",
                "model.layers.2.self_attn.v_proj",
                "model.layers.10.mlp.down_proj",
                "model.layers.10.self_attn.q_proj",
                "model.layers.11.self_attn.q_proj",
                "model.layers.100.self_attn.q_proj",
                "model.norm");
        List<String> shuffled = new ArrayList<>(expected);
        Collections.shuffle(shuffled, new Random(3));
        shuffled.sort(NaturalOrder.INSTANCE);
        assertEquals(expected, shuffled);
    }

    @Test
    void digitRunsLongerThanALongAndLeadingZerosStayTotallyOrdered() {
        assertTrue(NaturalOrder.INSTANCE.compare("x99999999999999999999999", "x100000000000000000000000") < 0);
        assertTrue(NaturalOrder.INSTANCE.compare("layer9", "layer10") < 0);
        assertTrue(NaturalOrder.INSTANCE.compare("a", "a.0") < 0, "a prefix comes first");
        assertTrue(NaturalOrder.INSTANCE.compare("a2b", "a2") > 0);
        // Equal values, different spellings: not 0, or a sorted set would drop one of them.
        assertTrue(NaturalOrder.INSTANCE.compare("l01", "l1") != 0);
        assertEquals(-NaturalOrder.INSTANCE.compare("l01", "l1"), NaturalOrder.INSTANCE.compare("l1", "l01"));
        TreeSet<String> set = new TreeSet<>(NaturalOrder.INSTANCE);
        set.addAll(List.of("l1", "l01", "l001", "l1"));
        assertEquals(3, set.size());
        assertEquals(0, NaturalOrder.INSTANCE.compare("same.3", "same.3"));
    }

    @Test
    void isATotalOrderOnRandomNames() {
        Random random = new Random(7);
        List<String> names = new ArrayList<>();
        for (int n = 0; n < 300; n++) {
            StringBuilder s = new StringBuilder();
            int length = random.nextInt(6);
            for (int c = 0; c < length; c++) s.append("0129a.b".charAt(random.nextInt(7)));
            names.add(s.toString());
        }
        for (String a : names) {
            for (String b : names) {
                int ab = Integer.signum(NaturalOrder.INSTANCE.compare(a, b));
                assertEquals(-ab, Integer.signum(NaturalOrder.INSTANCE.compare(b, a)), a + " vs " + b);
                assertEquals(a.equals(b), ab == 0, a + " vs " + b);
            }
        }
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(NaturalOrder.INSTANCE);
        for (int i = 0; i + 1 < sorted.size(); i++) {
            for (int j = i + 1; j < sorted.size(); j++) {
                assertTrue(NaturalOrder.INSTANCE.compare(sorted.get(i), sorted.get(j)) <= 0,
                        sorted.get(i) + " before " + sorted.get(j));
            }
        }
    }
}
