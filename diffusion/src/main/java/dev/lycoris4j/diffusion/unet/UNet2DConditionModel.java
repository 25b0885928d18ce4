package dev.lycoris4j.diffusion.unet;

import dev.lycoris4j.core.nn.Checkpoint;
import dev.lycoris4j.core.nn.ConvNd;
import dev.lycoris4j.core.nn.GroupNorm;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.ModuleList;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.diffusion.blocks.Activations;
import dev.lycoris4j.diffusion.blocks.TimestepEmbedding;
import dev.lycoris4j.diffusion.blocks.Timesteps;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' UNet2DConditionModel for SD1.x, SD2.x and SDXL. Module paths equal diffusers' state-dict
 * names, so a {@code unet/diffusion_pytorch_model.safetensors} loads by name and a layer is found by
 * its path ({@code down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q}).
 */
public final class UNet2DConditionModel extends Module {
    private final UNetConfig config;
    private final ConvNd convIn;
    private final TimestepEmbedding timeEmbedding;
    private final TimestepEmbedding addEmbedding;
    private final ModuleList<DownBlock> downBlocks;
    private final MidBlock midBlock;
    private final ModuleList<UpBlock> upBlocks;
    private final GroupNorm convNormOut;
    private final ConvNd convOut;

    public UNet2DConditionModel(UNetConfig c, Placement p) {
        this.config = c;
        int[] ch = c.blockOutChannels();
        int n = ch.length;
        convIn = register("conv_in", new ConvNd(2, c.inChannels(), ch[0], 3, 1, 1, true, p));
        timeEmbedding = register("time_embedding", new TimestepEmbedding(ch[0], c.timeEmbedDim(), p));
        addEmbedding = c.hasTextTimeEmbedding()
                ? register("add_embedding", new TimestepEmbedding(c.projectionClassEmbeddingsInputDim(), c.timeEmbedDim(), p))
                : null;
        downBlocks = register("down_blocks", new ModuleList<>());
        long out = ch[0];
        for (int i = 0; i < n; i++) {
            long in = out;
            out = ch[i];
            downBlocks.add(new DownBlock(c.downBlockTypes()[i], c, i, in, out, p));
        }
        upBlocks = register("up_blocks", new ModuleList<>());
        midBlock = register("mid_block", new MidBlock(c, p));
        long prevOut = ch[n - 1];
        for (int i = 0; i < n; i++) {
            long upOut = ch[n - 1 - i];
            long upIn = ch[Math.max(n - 2 - i, 0)];
            upBlocks.add(new UpBlock(c.upBlockTypes()[i], c, i, prevOut, upIn, upOut, p));
            prevOut = upOut;
        }
        convNormOut = register("conv_norm_out", new GroupNorm(c.normGroups(), ch[0], c.normEps(), true, p));
        convOut = register("conv_out", new ConvNd(2, ch[0], c.outChannels(), 3, 1, 1, true, p));
    }

    public UNetConfig config() {
        return config;
    }

    /**
     * diffusers' {@code enable_gradient_checkpointing()}: while training, every ResnetBlock2D and Transformer2DModel
     * of the down, mid and up blocks runs as one checkpointed segment ({@link Checkpoint}), trading a second forward
     * of each for not keeping their activations. State-dict names do not change.
     */
    public void setGradientCheckpointing(boolean on) {
        Checkpoint.enable(this, on);
    }

    /** SD1.x/SD2.x forward: ε (or v) prediction for {@code sample} at {@code timestep} (shape [] or [batch]). */
    public Tensor forward(Tensor sample, Tensor timestep, Tensor context) {
        return forward(sample, timestep, context, null, null);
    }

    /**
     * @param textEmbeds SDXL's pooled text embedding (batch, 1280), else null
     * @param timeIds    SDXL's (orig_h, orig_w, crop_top, crop_left, target_h, target_w) per sample, else null
     */
    public Tensor forward(Tensor sample, Tensor timestep, Tensor context, Tensor textEmbeds, Tensor timeIds) {
        long batch = sample.size(0);
        Tensor t = timestep.dim() == 0 ? timestep.unsqueeze(0).expand(batch) : timestep;
        Tensor tEmb = Timesteps.embed(t, config.blockOutChannels()[0], config.flipSinToCos(), config.freqShift())
                .to(sample.scalar_type());
        Tensor emb = timeEmbedding.forward(tEmb);
        if (addEmbedding != null) {
            if (textEmbeds == null || timeIds == null) {
                throw new IllegalArgumentException("this UNet (addition_embed_type text_time) needs text_embeds and time_ids");
            }
            Tensor timeEmb = Timesteps.embed(timeIds.flatten(), config.additionTimeEmbedDim(), config.flipSinToCos(),
                    config.freqShift()).reshape(batch, -1);
            Tensor added = torch.cat(new TensorVector(textEmbeds, timeEmb.to(textEmbeds.scalar_type())), -1);
            emb = emb.add(addEmbedding.forward(added.to(emb.scalar_type())));
        }

        Tensor h = convIn.forward(sample);
        List<Tensor> skips = new ArrayList<>();
        skips.add(h);
        for (DownBlock block : downBlocks) h = block.forward(h, emb, context, skips);
        h = midBlock.forward(h, emb, context);

        // diffusers passes explicit sizes when the latent is not divisible by 2^(upsamplers).
        int upsamplers = upBlocks.size() - 1;
        long divisor = 1L << upsamplers;
        boolean explicitSize = sample.size(2) % divisor != 0 || sample.size(3) % divisor != 0;
        for (int i = 0; i < upBlocks.size(); i++) {
            UpBlock block = upBlocks.get(i);
            boolean last = i == upBlocks.size() - 1;
            long[] size = null;
            if (explicitSize && !last) {
                Tensor nextSkip = skips.get(skips.size() - 1 - block.resnetCount());
                size = new long[] {nextSkip.size(2), nextSkip.size(3)};
            }
            h = block.forward(h, emb, context, skips, size);
        }
        return convOut.forward(Activations.silu(convNormOut.forward(h)));
    }
}
