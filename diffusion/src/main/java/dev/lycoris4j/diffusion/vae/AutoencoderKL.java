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

    /**
     * Decodes in overlapping tiles of {@code tileLatent}² latents (diffusers' tiled_decode: tiles step by 3/4
     * of a tile, and each tile is blended linearly into its upper and left neighbours over a quarter of a
     * tile), so memory is bounded by one tile's activations whatever the image size. Latents that fit in
     * one tile decode exactly as {@link #decode}.
     */
    public Tensor decodeTiled(Tensor latents, int tileLatent) {
        long h = latents.size(2), w = latents.size(3);
        if (h <= tileLatent && w <= tileLatent) return decode(latents);
        int factor = 1 << (config.blockOutChannels().length - 1);
        int tileSample = tileLatent * factor;
        int overlap = (int) (tileLatent * 0.75);
        int blend = (int) (tileSample * 0.25);
        int keep = tileSample - blend;
        java.util.List<java.util.List<Tensor>> rows = new java.util.ArrayList<>();
        for (long i = 0; i < h; i += overlap) {
            java.util.List<Tensor> row = new java.util.ArrayList<>();
            for (long j = 0; j < w; j += overlap) {
                Tensor tile = latents.narrow(2, i, Math.min(tileLatent, h - i)).narrow(3, j, Math.min(tileLatent, w - j));
                row.add(decode(tile));
            }
            rows.add(row);
        }
        org.bytedeco.pytorch.TensorVector stitchedRows = new org.bytedeco.pytorch.TensorVector();
        for (int i = 0; i < rows.size(); i++) {
            org.bytedeco.pytorch.TensorVector stitched = new org.bytedeco.pytorch.TensorVector();
            for (int j = 0; j < rows.get(i).size(); j++) {
                Tensor tile = rows.get(i).get(j);
                if (i > 0) tile = blend(rows.get(i - 1).get(j), tile, blend, 2);
                if (j > 0) tile = blend(rows.get(i).get(j - 1), tile, blend, 3);
                rows.get(i).set(j, tile);
                stitched.push_back(tile.narrow(2, 0, Math.min(keep, tile.size(2))).narrow(3, 0, Math.min(keep, tile.size(3))));
            }
            stitchedRows.push_back(torch.cat(stitched, 3));
        }
        return torch.cat(stitchedRows, 2);
    }

    /** The first {@code extent} rows (or columns) of {@code b} fade in from the last ones of {@code a}. */
    private static Tensor blend(Tensor a, Tensor b, int extent, int dim) {
        int e = (int) Math.min(Math.min(a.size(dim), b.size(dim)), extent);
        long[] shape = {1, 1, 1, 1};
        shape[dim] = e;
        Tensor ramp = torch.arange(new Scalar(e), new org.bytedeco.pytorch.TensorOptions(b.scalar_type())
                .device(new org.bytedeco.pytorch.DeviceOptional(b.device()))).div(new Scalar(e)).view(shape);
        Tensor head = a.narrow(dim, a.size(dim) - e, e).mul(ramp.neg().add(new Scalar(1)))
                .add(b.narrow(dim, 0, e).mul(ramp));
        return torch.cat(new org.bytedeco.pytorch.TensorVector(head, b.narrow(dim, e, b.size(dim) - e)), dim);
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
