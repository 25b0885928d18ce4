package dev.lycoris4j.eval.encoders;

import dev.lycoris4j.core.nn.LayerNorm;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.ModuleList;
import dev.lycoris4j.core.nn.Placement;
import org.bytedeco.pytorch.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The vision transformer behind CLIP's image tower, DINOv2 and DINO v1, with HF CLIP's names
 * ({@code embeddings}, {@code pre_layrnorm} [sic], {@code encoder.layers.N}, {@code post_layernorm});
 * the other checkpoint layouts are renamed to these by {@link VitLayouts}. The embedding the
 * evaluation uses is the class token after the final norm ({@link #pooled}).
 */
public final class VisionTransformer extends Module {
    private final VitConfig config;
    private final VitEmbeddings embeddings;
    private final LayerNorm preNorm;
    private final ModuleList<VitLayer> layers;
    private final LayerNorm postNorm;

    public VisionTransformer(VitConfig c, Placement p) {
        this.config = c;
        embeddings = register("embeddings", new VitEmbeddings(c, p));
        preNorm = c.preNorm() ? register("pre_layrnorm", VitLayer.norm(c, p)) : null;
        layers = register("encoder", new Encoder()).layers;
        for (int i = 0; i < c.layers(); i++) layers.add(new VitLayer(c, p));
        postNorm = register("post_layernorm", VitLayer.norm(c, p));
    }

    @Override public String typeName() { return "VisionTransformer"; }

    public VitConfig config() {
        return config;
    }

    /** Entry 0: the embeddings (after the pre-norm, if any); entry k: the output of block k (no final norm). */
    public List<Tensor> hiddenStates(Tensor pixels) {
        Tensor x = embeddings.forward(pixels);
        if (preNorm != null) x = preNorm.forward(x);
        List<Tensor> states = new ArrayList<>(layers.size() + 1);
        states.add(x);
        for (VitLayer layer : layers) {
            x = layer.forward(x);
            states.add(x);
        }
        return states;
    }

    /** All tokens after the final norm: [B, 1 + patches, D] (DINOv2's last_hidden_state). */
    public Tensor forward(Tensor pixels) {
        return postNorm.forward(hiddenStates(pixels).getLast());
    }

    /** The class token after the final norm: [B, D] (CLIP's pooler output, DINO's x_norm_clstoken). */
    public Tensor pooled(Tensor pixels) {
        return postNorm.forward(hiddenStates(pixels).getLast().select(1, 0));
    }

    /** The position table resampled for a gh × gw patch grid, [1 + gh·gw, D]. */
    public Tensor positionsFor(long gh, long gw, boolean squareInput) {
        return embeddings.positions(gh, gw, squareInput);
    }

    static final class Encoder extends Module {
        final ModuleList<VitLayer> layers = register("layers", new ModuleList<>());

        @Override public String typeName() { return "VisionEncoder"; }
    }
}
