package dev.lycoris4j.diffusion.text;

import dev.lycoris4j.core.nn.Checkpoint;
import dev.lycoris4j.core.nn.Checkpointable;
import dev.lycoris4j.core.nn.Embedding;
import dev.lycoris4j.core.nn.LayerNorm;
import dev.lycoris4j.core.nn.Linear;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.ModuleList;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.diffusion.blocks.Mlp;
import dev.lycoris4j.diffusion.blocks.SelfAttention;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.List;

/**
 * transformers' CLIPTextModel / CLIPTextModelWithProjection with HF state-dict names
 * ({@code text_model.encoder.layers.N.self_attn.q_proj}, {@code text_projection}): pre-LN layers,
 * causal self-attention without a padding mask, as SD pipelines call it.
 */
public final class ClipTextModel extends Module {
    private final ClipTextConfig config;
    private final TextTransformer textModel;
    private final Linear textProjection;

    public ClipTextModel(ClipTextConfig c, Placement p) {
        this.config = c;
        textModel = register("text_model", new TextTransformer(c, p));
        textProjection = c.withProjection() ? register("text_projection", new Linear(c.hiddenSize(), c.projectionDim(), false, p)) : null;
    }

    @Override public String typeName() {
        return config.withProjection() ? "CLIPTextModelWithProjection" : "CLIPTextModel";
    }

    public ClipTextConfig config() {
        return config;
    }

    /**
     * transformers' {@code gradient_checkpointing_enable()}: while training, every encoder layer runs as one
     * checkpointed segment (inputs: hidden states and the causal mask). State-dict names do not change.
     */
    public void setGradientCheckpointing(boolean on) {
        Checkpoint.enable(this, on);
    }

    /** Runs the encoder on (batch, 77) int64 ids. */
    public Output forward(Tensor inputIds) {
        List<Tensor> hidden = textModel.hiddenStates(inputIds);
        Tensor last = textModel.finalLayerNorm.forward(hidden.getLast());
        Tensor eot = eotPositions(inputIds);
        Tensor pooled = last.gather(1, eot.view(-1, 1, 1).expand(-1, 1, last.size(2))).squeeze(1);
        Tensor textEmbeds = textProjection == null ? null : textProjection.forward(pooled);
        return new Output(hidden, last, pooled, textEmbeds, this);
    }

    /** The legacy pooling index: argmax of the ids (first EOT) when eos_token_id is 2, else the first eos id. */
    private Tensor eotPositions(Tensor ids) {
        if (config.eosTokenId() == 2) return ids.argmax(new org.bytedeco.pytorch.LongOptional(-1), false);
        return ids.eq(new Scalar(config.eosTokenId())).to(torch.ScalarType.Int)
                .argmax(new org.bytedeco.pytorch.LongOptional(-1), false);
    }

    Tensor applyFinalNorm(Tensor h) {
        return textModel.finalLayerNorm.forward(h);
    }

    /**
     * @param hiddenStates entry 0 is the embeddings' output, entry i the output of layer i (before the final norm)
     * @param pooled       final-normed state at each sequence's pooling position
     * @param textEmbeds   text_projection(pooled), or null without a projection
     */
    public record Output(List<Tensor> hiddenStates, Tensor lastHiddenState, Tensor pooled, Tensor textEmbeds,
                         ClipTextModel model) {
        /** hidden_states[-k]: k = 1 is the last layer (clip skip 1), 2 the penultimate, ... */
        public Tensor fromEnd(int k) {
            return hiddenStates.get(hiddenStates.size() - k);
        }

        /** hidden_states[-k] followed by the final layer norm (SD1's "clip skip", as diffusers applies it). */
        public Tensor fromEndNormed(int k) {
            return k == 1 ? lastHiddenState : model.applyFinalNorm(fromEnd(k));
        }
    }

    /** {@code text_model}: embeddings, encoder, final_layer_norm. */
    static final class TextTransformer extends Module {
        private final Embeddings embeddings;
        private final ModuleList<EncoderLayer> layers;
        final LayerNorm finalLayerNorm;
        private final ClipTextConfig config;

        TextTransformer(ClipTextConfig c, Placement p) {
            this.config = c;
            embeddings = register("embeddings", new Embeddings(c, p));
            Encoder encoder = register("encoder", new Encoder());
            layers = encoder.layers;
            for (int i = 0; i < c.layers(); i++) layers.add(new EncoderLayer(c, p));
            finalLayerNorm = register("final_layer_norm", new LayerNorm(new long[] {c.hiddenSize()}, c.layerNormEps(), true, p));
        }

        @Override public String typeName() { return "CLIPTextTransformer"; }

        List<Tensor> hiddenStates(Tensor ids) {
            long n = ids.size(1);
            Tensor h = embeddings.forward(ids);
            Tensor mask = causalMask(n, h);
            List<Tensor> states = new ArrayList<>(config.layers() + 1);
            states.add(h);
            for (EncoderLayer layer : layers) {
                h = layer.forward(h, mask);
                states.add(h);
            }
            return states;
        }

        /** Additive mask: 0 on and below the diagonal, −inf above (a token sees only earlier ones). */
        private static Tensor causalMask(long n, Tensor like) {
            TensorOptions o = new TensorOptions(like.scalar_type()).device(new org.bytedeco.pytorch.DeviceOptional(like.device()));
            Tensor full = torch.full(new long[] {n, n}, new Scalar(Double.NEGATIVE_INFINITY), o);
            return torch.triu(full, 1);
        }
    }

    static final class Encoder extends Module {
        final ModuleList<EncoderLayer> layers = register("layers", new ModuleList<>());

        @Override public String typeName() { return "CLIPEncoder"; }
    }

    static final class Embeddings extends Module {
        private final Embedding token;
        private final Embedding position;

        Embeddings(ClipTextConfig c, Placement p) {
            token = register("token_embedding", new Embedding(c.vocabSize(), c.hiddenSize(), p));
            position = register("position_embedding", new Embedding(c.maxPositions(), c.hiddenSize(), p));
        }

        @Override public String typeName() { return "CLIPTextEmbeddings"; }

        Tensor forward(Tensor ids) {
            long n = ids.size(1);
            Tensor positions = torch.arange(new Scalar(n),
                    new TensorOptions(torch.ScalarType.Long).device(new org.bytedeco.pytorch.DeviceOptional(ids.device())));
            return token.forward(ids).add(position.forward(positions).unsqueeze(0));
        }
    }

    static final class EncoderLayer extends Module implements Checkpointable {
        private final LayerNorm layerNorm1;
        private final SelfAttention selfAttn;
        private final LayerNorm layerNorm2;
        private final Mlp mlp;
        private boolean checkpointing;

        EncoderLayer(ClipTextConfig c, Placement p) {
            selfAttn = register("self_attn", new SelfAttention("CLIPAttention", c.hiddenSize(), c.heads(), true, p));
            layerNorm1 = register("layer_norm1", new LayerNorm(new long[] {c.hiddenSize()}, c.layerNormEps(), true, p));
            mlp = register("mlp", new Mlp("CLIPMLP", c.hiddenSize(), c.intermediateSize(), c.activation(), p));
            layerNorm2 = register("layer_norm2", new LayerNorm(new long[] {c.hiddenSize()}, c.layerNormEps(), true, p));
        }

        @Override public String typeName() { return "CLIPEncoderLayer"; }

        @Override
        public void setGradientCheckpointing(boolean on) {
            checkpointing = on;
        }

        Tensor forward(Tensor h, Tensor mask) {
            return checkpointing ? Checkpoint.run(this, in -> compute(in.get(0), in.get(1)), h, mask) : compute(h, mask);
        }

        private Tensor compute(Tensor h, Tensor mask) {
            h = h.add(selfAttn.forward(layerNorm1.forward(h), mask));
            return h.add(mlp.forward(layerNorm2.forward(h)));
        }
    }
}
