package amalgam.engine.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import amalgam.engine.TestFixtures;
import amalgam.engine.hub.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where an adapter's module names land in a checkpoint, known without loading the model. */
class CheckpointModuleTest {

    @TempDir
    Path dir;

    @Test
    void vitMapsTransformers5NamesOntoItsCheckpointKeysAndKeepsOldOnes() {
        try (Checkpoint vit = Checkpoint.open(TestFixtures.path("hf", "vit-f32"))) {
            assertEquals("vit.encoder.layer.1.attention.attention.query",
                    Architectures.checkpointModule(vit, "vit.layers.1.attention.q_proj"));
            assertEquals("vit.encoder.layer.0.output.dense", Architectures.checkpointModule(vit, "vit.layers.0.mlp.fc2"));
            assertEquals("vit.encoder.layer.0.attention.attention.value",
                    Architectures.checkpointModule(vit, "vit.encoder.layer.0.attention.attention.value"));
        }
    }

    @Test
    void decodersAndUnknownArchitecturesKeepTheAdaptersName() throws IOException {
        try (Checkpoint llama = Checkpoint.open(TestFixtures.path("hf", "llama-f32"))) {
            assertEquals("model.layers.0.self_attn.q_proj",
                    Architectures.checkpointModule(llama, "model.layers.0.self_attn.q_proj"));
        }
        Files.writeString(dir.resolve(Checkpoint.CONFIG), "{\"architectures\": [\"GPT2LMHeadModel\"]}");
        Files.copy(TestFixtures.path("hf", "llama-f32", Checkpoint.WEIGHTS), dir.resolve(Checkpoint.WEIGHTS));
        try (Checkpoint gpt2 = Checkpoint.open(dir)) {
            assertEquals("transformer.h.0.attn.c_attn", Architectures.checkpointModule(gpt2, "transformer.h.0.attn.c_attn"));
            assertEquals("vit.layers.1.attention.q_proj", Architectures.checkpointModule(gpt2, "vit.layers.1.attention.q_proj"));
        }
    }
}
