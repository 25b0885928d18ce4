package dev.lycoris4j.train.network;

import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.diffusion.blocks.Attention;
import dev.lycoris4j.diffusion.blocks.Downsample2D;
import dev.lycoris4j.diffusion.blocks.ResnetBlock2D;
import dev.lycoris4j.diffusion.blocks.TimestepEmbedding;
import dev.lycoris4j.diffusion.blocks.Upsample2D;
import dev.lycoris4j.diffusion.text.ClipTextConfig;
import dev.lycoris4j.diffusion.text.ClipTextModel;

import static dev.lycoris4j.train.network.Node.conv;
import static dev.lycoris4j.train.network.Node.groupNorm;
import static dev.lycoris4j.train.network.Node.layerNorm;
import static dev.lycoris4j.train.network.Node.linear;
import static dev.lycoris4j.train.network.Node.linearNoBias;
import static dev.lycoris4j.train.network.Node.list;

/**
 * The reference's tiny golden models (golden manifest → networks), rebuilt from its description and layer
 * widths: width 8/16 UNets with one block per level, a 2× feed-forward, cross-attention width 12, and one-layer
 * CLIP text encoders of width 12 (MLP 24).
 */
final class TinyModels {
    private TinyModels() {}

    private static final Placement CPU = Placement.cpu();

    /** A CLIP text encoder: text_model.encoder.layers.0.{self_attn.{k,v,q,out}_proj 12→12, mlp.fc1 12→24, fc2 24→12}. */
    static ClipTextModel clip() {
        return new ClipTextModel(new ClipTextConfig(64, 12, 24, 1, 2, 8, "quick_gelu", 1e-5, 12, 2, false), CPU);
    }

    /** net1: an SD1-like UNet with diffusers names; our real resnet, attention and sampler blocks. */
    static Module net1Unet() {
        return new Node("UNet2DConditionModel")
                .with("conv_in", conv(4, 8, 3))
                .with("time_embedding", new TimestepEmbedding(8, 16, CPU))
                .with("down_blocks", list("ModuleList", new Node("CrossAttnDownBlock2D")
                        .with("attentions", list("ModuleList", diffusersTransformer(8)))
                        .with("resnets", list("ModuleList", new ResnetBlock2D(8, 8, 16, 4, 1e-5, CPU)))
                        .with("downsamplers", list("ModuleList", new Downsample2D(8, 1, CPU)))))
                .with("mid_block", new Node("UNetMidBlock2DCrossAttn")
                        .with("attentions", list("ModuleList", diffusersTransformer(8)))
                        .with("resnets", list("ModuleList", new ResnetBlock2D(8, 8, 16, 4, 1e-5, CPU),
                                new ResnetBlock2D(8, 8, 16, 4, 1e-5, CPU))))
                .with("up_blocks", list("ModuleList", new Node("CrossAttnUpBlock2D")
                        .with("attentions", list("ModuleList", diffusersTransformer(8)))
                        .with("resnets", list("ModuleList", new ResnetBlock2D(16, 8, 16, 4, 1e-5, CPU)))
                        .with("upsamplers", list("ModuleList", new Upsample2D(8, CPU)))))
                .with("conv_norm_out", groupNorm(8))
                .with("conv_out", conv(8, 4, 3));
    }

    /** SD1's Transformer2DModel: 1×1-conv projections, one block with diffusers' Attention. */
    private static Module diffusersTransformer(long c) {
        return new Node("Transformer2DModel")
                .with("norm", groupNorm(c))
                .with("proj_in", conv(c, c, 1))
                .with("transformer_blocks", list("ModuleList", new Node("BasicTransformerBlock")
                        .with("norm1", layerNorm(c))
                        .with("attn1", new Attention(c, c, 2, (int) c / 2, false, false, CPU))
                        .with("norm2", layerNorm(c))
                        .with("attn2", new Attention(c, 12, 2, (int) c / 2, false, false, CPU))
                        .with("norm3", layerNorm(c))
                        .with("ff", feedForward(c))))
                .with("proj_out", conv(c, c, 1));
    }

    /** FeedForward with GEGLU and a 2× inner width: net.0.proj c→4c, net.2 2c→c. */
    private static Module feedForward(long c) {
        return new Node("FeedForward").with("net", list("ModuleList",
                new Node("GEGLU").with("proj", linear(c, 4 * c)), new Node("Dropout"), linear(2 * c, c)));
    }

    /**
     * net2: an SDXL-like UNet in kohya's sdxl_original_unet layout (SGM names: input_blocks, middle_block,
     * output_blocks, out; resnets as in_layers/emb_layers/out_layers/skip_connection; CrossAttention; Linear
     * projections; time embedding width 16).
     */
    static Module net2Unet() {
        return new Node("SdxlUNet2DConditionModel")
                .with("time_embed", list("Sequential", linear(8, 16), new Node("SiLU"), linear(16, 16)))
                .with("input_blocks", list("ModuleList",
                        list("TimestepEmbedSequential", conv(4, 8, 3)),
                        list("TimestepEmbedSequential", sgmResnet(8, 8)),
                        list("TimestepEmbedSequential", new Node("Downsample2D").with("op", conv(8, 8, 3))),
                        list("TimestepEmbedSequential", sgmResnet(8, 16), sgmTransformer(16))))
                .with("middle_block", list("TimestepEmbedSequential", sgmResnet(16, 16), sgmTransformer(16),
                        sgmResnet(16, 16)))
                .with("output_blocks", list("ModuleList", list("TimestepEmbedSequential", sgmResnet(32, 16),
                        sgmTransformer(16), new Node("Upsample2D").with("conv", conv(16, 16, 3)))))
                .with("out", list("Sequential", groupNorm(16), new Node("SiLU"), conv(16, 4, 3)));
    }

    private static Module sgmResnet(long in, long out) {
        Node r = new Node("ResnetBlock2D")
                .with("in_layers", list("Sequential", groupNorm(in), new Node("SiLU"), conv(in, out, 3)))
                .with("emb_layers", list("Sequential", new Node("SiLU"), linear(16, out)))
                .with("out_layers", list("Sequential", groupNorm(out), new Node("SiLU"), new Node("Dropout"), conv(out, out, 3)));
        return in == out ? r : r.with("skip_connection", conv(in, out, 1));
    }

    private static Module sgmTransformer(long c) {
        return new Node("Transformer2DModel")
                .with("norm", groupNorm(c))
                .with("proj_in", linear(c, c))
                .with("transformer_blocks", list("ModuleList", new Node("BasicTransformerBlock")
                        .with("norm1", layerNorm(c))
                        .with("attn1", crossAttention(c, c))
                        .with("norm2", layerNorm(c))
                        .with("attn2", crossAttention(c, 12))
                        .with("norm3", layerNorm(c))
                        .with("ff", feedForward(c))))
                .with("proj_out", linear(c, c));
    }

    private static Module crossAttention(long c, long context) {
        return new Node("CrossAttention")
                .with("to_q", linearNoBias(c, c))
                .with("to_k", linearNoBias(context, c))
                .with("to_v", linearNoBias(context, c))
                .with("to_out", list("ModuleList", linear(c, c), new Node("Dropout")));
    }
}
