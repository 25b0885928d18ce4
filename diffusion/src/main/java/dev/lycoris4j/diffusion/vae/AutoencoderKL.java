package dev.lycoris4j.diffusion.vae;

import dev.lycoris4j.core.nn.ConvNd;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.Placement;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** diffusers' AutoencoderKL with module paths equal to its state-dict names. */
public final class AutoencoderKL extends Module {
    private final VaeConfig config;
    private final VaeCoder encoder;
    private final VaeCoder decoder;
    private final ConvNd quantConv;
    private final ConvNd postQuantConv;

    public AutoencoderKL(VaeConfig c, Placement p) {
        this.config = c;
        encoder = register("encoder", new VaeCoder(false, c, p));
        decoder = register("decoder", new VaeCoder(true, c, p));
        quantConv = register("quant_conv", new ConvNd(2, 2L * c.latentChannels(), 2L * c.latentChannels(), 1, 1, 0, true, p));
        postQuantConv = register("post_quant_conv", new ConvNd(2, c.latentChannels(), c.latentChannels(), 1, 1, 0, true, p));
    }

    public VaeConfig config() {
        return config;
    }

    /** The latent distribution of an image batch in [−1, 1]. */
    public LatentDistribution encode(Tensor image) {
        Tensor moments = quantConv.forward(encoder.forward(image));
        var halves = moments.chunk(2, 1);
        Tensor logvar = torch.clamp(halves.get(1), new org.bytedeco.pytorch.ScalarOptional(new Scalar(-30.0)),
                new org.bytedeco.pytorch.ScalarOptional(new Scalar(20.0)));
        return new LatentDistribution(halves.get(0), logvar);
    }

    /** Decodes unscaled latents (divide the UNet's latents by the scaling factor first). */
    public Tensor decode(Tensor latents) {
        return decoder.forward(postQuantConv.forward(latents));
    }

    /** Diagonal Gaussian over latents: mean, logvar (clamped to [−30, 20] as diffusers does), std. */
    public record LatentDistribution(Tensor mean, Tensor logvar) {
        public Tensor std() {
            return logvar.mul(new Scalar(0.5)).exp();
        }

        /** mean + std·ε with the given noise (draw it from a seeded generator for reproducibility). */
        public Tensor sample(Tensor noise) {
            return mean.add(std().mul(noise));
        }
    }
}
