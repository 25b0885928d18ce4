package dev.lycoris4j.eval.encoders;

import dev.lycoris4j.core.nn.LayerNorm;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.diffusion.blocks.Mlp;
import dev.lycoris4j.diffusion.blocks.SelfAttention;
import org.bytedeco.pytorch.Tensor;

/**
 * One pre-norm transformer block, named as CLIP's encoder layer ({@code layer_norm1},
 * {@code self_attn.{q,k,v,out}_proj}, {@code layer_norm2}, {@code mlp.fc1/fc2}) plus DINOv2's
 * {@code layer_scale1/2.lambda1}: x += ls1 ⊙ attn(norm1 x); x += ls2 ⊙ mlp(norm2 x).
 */
final class VitLayer extends Module {
    private final LayerNorm layerNorm1;
    private final SelfAttention selfAttn;
    private final LayerScale layerScale1;
    private final LayerNorm layerNorm2;
    private final Mlp mlp;
    private final LayerScale layerScale2;

    VitLayer(VitConfig c, Placement p) {
        layerNorm1 = register("layer_norm1", norm(c, p));
        selfAttn = register("self_attn", new SelfAttention("VisionAttention", c.width(), c.heads(), c.qkvBias(), p));
        layerScale1 = c.layerScale() ? register("layer_scale1", new LayerScale(c.width(), p)) : null;
        layerNorm2 = register("layer_norm2", norm(c, p));
        mlp = register("mlp", new Mlp("VisionMlp", c.width(), c.mlpWidth(), c.activation(), p));
        layerScale2 = c.layerScale() ? register("layer_scale2", new LayerScale(c.width(), p)) : null;
    }

    static LayerNorm norm(VitConfig c, Placement p) {
        return new LayerNorm(new long[] {c.width()}, c.layerNormEps(), true, p);
    }

    @Override public String typeName() { return "VisionLayer"; }

    Tensor forward(Tensor x) {
        Tensor attn = selfAttn.forward(layerNorm1.forward(x), null);
        x = x.add(layerScale1 == null ? attn : layerScale1.forward(attn));
        Tensor ff = mlp.forward(layerNorm2.forward(x));
        return x.add(layerScale2 == null ? ff : layerScale2.forward(ff));
    }

    /** DINOv2's LayerScale: a per-channel factor {@code lambda1} (hub: {@code gamma}). */
    static final class LayerScale extends Module {
        LayerScale(int width, Placement p) {
            parameter("lambda1", p.empty(width));
        }

        @Override public String typeName() { return "LayerScale"; }

        Tensor forward(Tensor x) {
            return x.mul(tensor("lambda1"));
        }
    }
}
