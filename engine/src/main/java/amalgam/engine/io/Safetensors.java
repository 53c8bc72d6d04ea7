package amalgam.engine.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format, read and written by Amalgam itself: an 8-byte little-endian header length, a JSON
 * header mapping tensor names to {@code {dtype, shape, data_offsets}} (plus an optional {@code __metadata__}
 * string map), then the raw little-endian data. Reading is {@link SafetensorsFile} (memory-mapped, lazy per
 * tensor, validated); streaming writes are {@link SafetensorsWriter}; this class holds the one-call forms.
 */
public final class Safetensors {

    private Safetensors() {}

    /** Opens and validates a file; see {@link SafetensorsFile#open}. */
    public static SafetensorsFile open(Path file) {
        return SafetensorsFile.open(file);
    }

    /** Writes every tensor of {@code tensors} as {@code dtype}, in name order, with {@code metadata}. */
    public static void write(Path file, Map<String, FloatTensor> tensors, Map<String, String> metadata, FileDType dtype)
            throws IOException {
        List<SafetensorsWriter.Spec> specs = new ArrayList<>();
        tensors.forEach((name, t) -> specs.add(new SafetensorsWriter.Spec(name, t.shape(), dtype)));
        try (SafetensorsWriter writer = SafetensorsWriter.create(file, specs, metadata)) {
            for (Map.Entry<String, FloatTensor> e : tensors.entrySet()) writer.write(e.getKey(), e.getValue().data());
        }
    }
}
