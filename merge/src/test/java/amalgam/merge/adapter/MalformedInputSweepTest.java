package amalgam.merge.adapter;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import amalgam.kernels.FloatSegments;
import amalgam.engine.InputException;
import amalgam.engine.io.FileDType;
import amalgam.engine.io.FloatTensor;
import amalgam.engine.io.Safetensors;
import amalgam.engine.io.SafetensorsFile;
import amalgam.engine.io.TensorInfo;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random corruptions of valid files (a quick sweep, not coverage-guided fuzzing): opening and fully
 * reading each one either works or fails with an {@link InputException} whose message is one line — never
 * another exception type.
 */
class MalformedInputSweepTest {

    @TempDir
    Path dir;

    private static final Pattern NUMBER = Pattern.compile("\\d+");
    private static final String[] NUMBER_REPLACEMENTS = {"-1", "0", "1", "3", "7", "4294967296", "9223372036854775807",
            "9223372036854775808", "1e3", "2.5", "\"4\"", "null", "[]", "{}"};

    @Test
    void corruptedSafetensorsFilesFailOnlyWithInputException() throws IOException {
        byte[] valid = validFile();
        int headerLength = (int) ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        Random random = new Random(2024);
        Path file = dir.resolve("fuzz.safetensors");
        for (int iteration = 0; iteration < 400; iteration++) {
            byte[] mutated = switch (iteration % 4) {
                case 0 -> flipBytes(valid, random, 8 + headerLength);
                case 1 -> Arrays.copyOf(valid, random.nextInt(valid.length + 1));
                case 2 -> withLength(valid, random);
                default -> replaceHeaderNumber(valid, headerLength, random);
            };
            Files.write(file, mutated);
            openAndReadEverything(file, iteration);
        }
    }

    @Test
    void corruptedConfigsFailOnlyWithInputException() {
        String valid = "{\"peft_type\": \"LORA\", \"r\": 8, \"lora_alpha\": 16, \"use_rslora\": true, "
                + "\"rank_pattern\": {\"q_proj\": 4}, \"alpha_pattern\": {\"v\\\\.x\": 2.5}, "
                + "\"target_modules\": [\"q_proj\"], \"fan_in_fan_out\": false, \"base_model_name_or_path\": null}";
        byte[] bytes = valid.getBytes(StandardCharsets.UTF_8);
        Random random = new Random(99);
        for (int iteration = 0; iteration < 1500; iteration++) {
            byte[] mutated = iteration % 2 == 0 ? flipBytes(bytes, random, bytes.length)
                    : replaceNumber(valid, random).getBytes(StandardCharsets.UTF_8);
            try {
                AdapterConfig c = AdapterConfig.parse(mutated, "cfg");
                c.scalingFor("model.q_proj", c.rankFor("model.q_proj"));
                c.mergedJson(Map.of("model.q_proj", 3));
            } catch (InputException e) {
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
            } catch (RuntimeException e) {
                fail("iteration " + iteration + ": " + new String(mutated, StandardCharsets.UTF_8), e);
            }
        }
    }

    private byte[] validFile() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Map<String, FloatTensor> tensors = new LinkedHashMap<>();
            tensors.put("a", new FloatTensor(new long[] {2, 3}, FloatSegments.of(arena, 1, 2, 3, 4, 5, 6)));
            tensors.put("b", new FloatTensor(new long[] {3}, FloatSegments.of(arena, 7, 8, 9)));
            tensors.put("c", new FloatTensor(new long[] {1, 1, 2}, FloatSegments.of(arena, -1, 0.5f)));
            Path file = dir.resolve("valid.safetensors");
            Safetensors.write(file, tensors, Map.of("format", "pt"), FileDType.BF16);
            return Files.readAllBytes(file);
        }
    }

    private static void openAndReadEverything(Path file, int iteration) {
        try (SafetensorsFile f = Safetensors.open(file); Arena arena = Arena.ofConfined()) {
            for (TensorInfo t : f.tensors()) f.load(t, arena);
        } catch (InputException e) {
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        } catch (RuntimeException e) {
            fail("iteration " + iteration, e);
        }
    }

    private static byte[] flipBytes(byte[] valid, Random random, int limit) {
        byte[] mutated = valid.clone();
        int flips = 1 + random.nextInt(4);
        for (int i = 0; i < flips; i++) mutated[random.nextInt(limit)] = (byte) random.nextInt(256);
        return mutated;
    }

    private static byte[] withLength(byte[] valid, Random random) {
        byte[] mutated = valid.clone();
        long length = switch (random.nextInt(4)) {
            case 0 -> random.nextLong();
            case 1 -> random.nextInt(valid.length + 16);
            case 2 -> -1;
            default -> (1L << 31) + random.nextInt(8);
        };
        ByteBuffer.wrap(mutated).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
        return mutated;
    }

    private static byte[] replaceHeaderNumber(byte[] valid, int headerLength, Random random) {
        String header = new String(valid, 8, headerLength, StandardCharsets.UTF_8);
        byte[] newHeader = replaceNumber(header, random).getBytes(StandardCharsets.UTF_8);
        byte[] data = Arrays.copyOfRange(valid, 8 + headerLength, valid.length);
        return ByteBuffer.allocate(8 + newHeader.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(newHeader.length).put(newHeader).put(data).array();
    }

    /** The text with one of its integers replaced by an awkward value. */
    private static String replaceNumber(String text, Random random) {
        Matcher m = NUMBER.matcher(text);
        int count = 0;
        while (m.find()) count++;
        int target = random.nextInt(Math.max(1, count));
        m.reset();
        for (int i = 0; m.find(); i++) {
            if (i == target) {
                String replacement = NUMBER_REPLACEMENTS[random.nextInt(NUMBER_REPLACEMENTS.length)];
                return text.substring(0, m.start()) + replacement + text.substring(m.end());
            }
        }
        return text;
    }
}
