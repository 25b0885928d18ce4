package dev.lycoris4j.eval.encoders;

import dev.lycoris4j.core.nn.Linear;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.Placement;
import org.bytedeco.pytorch.Tensor;

/**
 * CLIP's image tower with transformers' CLIPModel names: {@code vision_model.*} and the bias-free
 * {@code visual_projection}. Image embedding = visual_projection(post_layernorm(CLS)), unnormalised.
 */
public final class ClipVisionModel extends Module {
    private final VisionTransformer visionModel;
    private final Linear visualProjection;

    public ClipVisionModel(VitConfig c, int projectionDim, Placement p) {
        visionModel = register("vision_model", new VisionTransformer(c, p));
        visualProjection = register("visual_projection", new Linear(c.width(), projectionDim, false, p));
    }

    @Override public String typeName() { return "CLIPVisionModelWithProjection"; }

    public VisionTransformer transformer() {
        return visionModel;
    }

    /** [B, 3, S, S] pixels → [B, projection_dim]. */
    public Tensor imageEmbeds(Tensor pixels) {
        return visualProjection.forward(visionModel.pooled(pixels));
    }
}
