package amalgam.merge.adaptive;

import amalgam.engine.DType;
import amalgam.engine.Tensor;
import amalgam.engine.nn.TinyViT;
import amalgam.kernels.FloatSegments;
import amalgam.engine.InputException;
import amalgam.engine.io.SafetensorsFile;
import amalgam.engine.io.SafetensorsWriter;
import amalgam.engine.io.TensorInfo;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** A TinyViT's parameters as a safetensors file, under the names {@code Module.namedParameters} gives them. */
public final class TinyVitCheckpoint {

    private TinyVitCheckpoint() {}

    public static void write(Map<String, Tensor> parameters, Path file) throws IOException {
        List<SafetensorsWriter.Spec> specs = new ArrayList<>();
        parameters.forEach((name, t) -> specs.add(new SafetensorsWriter.Spec(name,
                Arrays.stream(t.shape()).asLongStream().toArray(), amalgam.engine.io.FileDType.F32)));
        try (SafetensorsWriter writer = SafetensorsWriter.create(file, specs, Map.of("format", "pt"));
             Arena arena = Arena.ofConfined()) {
            for (var e : parameters.entrySet()) {
                float[] values = e.getValue().toFloatArray();
                MemorySegment segment = FloatSegments.allocate(arena, values.length);
                FloatSegments.copyFromArray(values, 0, segment, 0, values.length);
                writer.write(e.getKey(), segment);
            }
        }
    }

    /** An F32 TinyViT holding every parameter of {@code file} (checked by name and shape), all frozen. */
    public static TinyViT read(Path file) {
        TinyViT model = new TinyViT(DType.F32, new Random(0));
        try (SafetensorsFile weights = SafetensorsFile.open(file)) {
            for (var e : model.namedParameters().entrySet()) {
                TensorInfo info = weights.tensor(e.getKey()).orElseThrow(() -> new InputException(file.toString(),
                        "tensor '" + e.getKey() + "' is missing: not a TinyViT checkpoint"));
                long[] shape = Arrays.stream(e.getValue().shape()).asLongStream().toArray();
                if (!Arrays.equals(shape, info.shape())) {
                    throw new InputException(file.toString(), "tensor '" + e.getKey() + "' has shape "
                            + info.shapeString() + ", TinyViT's is " + Arrays.toString(shape));
                }
                weights.readInto(info, e.getValue().data(), 0); // parameters are contiguous from element 0
                e.getValue().requiresGrad(false);
            }
        }
        return model;
    }
}
