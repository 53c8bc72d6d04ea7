package amalgam.engine.models.llama;

import amalgam.engine.Tensor;
import amalgam.engine.hub.TensorSource;
import amalgam.engine.nn.Linear;
import amalgam.engine.nn.Module;

/** The gated feed-forward block: down(silu(gate(x)) ⊙ up(x)), {@code mlp.{gate,up,down}_proj}. */
final class LlamaMlp extends Module {

    private final Linear gate, up, down;

    LlamaMlp(LlamaConfig c, TensorSource weights, String prefix) {
        int hidden = c.hiddenSize(), inner = c.intermediateSize();
        gate = child("gate_proj", LlamaAttention.projection(weights, prefix + "gate_proj", inner, hidden, c.mlpBias()));
        up = child("up_proj", LlamaAttention.projection(weights, prefix + "up_proj", inner, hidden, c.mlpBias()));
        down = child("down_proj", LlamaAttention.projection(weights, prefix + "down_proj", hidden, inner, c.mlpBias()));
    }

    @Override
    public Tensor forward(Tensor x) {
        return down.forward(gate.forward(x).silu().mul(up.forward(x)));
    }
}
