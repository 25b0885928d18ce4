package dev.lycoris4j.train.data;

import dev.lycoris4j.adapters.io.TensorBytes;
import dev.lycoris4j.core.nn.NoGrad;
import dev.lycoris4j.core.tensor.Tensors;
import dev.lycoris4j.diffusion.vae.AutoencoderKL;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/**
 * Encodes images with a model's VAE to the mean of its latent distribution (a fixed latent per image, so it can be
 * cached; kohya caches one sample of the distribution instead).
 */
public final class VaeEncoder implements LatentEncoder {
    private final AutoencoderKL vae;
    private final String fingerprint;

    public VaeEncoder(AutoencoderKL vae) {
        this.vae = vae;
        this.fingerprint = fingerprintOf(vae);
    }

    @Override
    public String fingerprint() {
        return fingerprint;
    }

    @Override
    public Tensor encode(Tensor image) {
        Tensor weight = vae.stateDict().values().iterator().next();
        try (NoGrad ignored = new NoGrad()) {
            Tensor input = image.unsqueeze(0).to(weight.device(), weight.scalar_type());
            return vae.encode(input).mean().squeeze(0).to(torch.ScalarType.Float).cpu().contiguous();
        }
    }

    /**
     * The first 16 hex digits of SHA-256 over every VAE tensor's name, dtype, shape and bytes, and the encoding
     * mode: any change of weights or of how latents are taken gives a new fingerprint.
     */
    static String fingerprintOf(AutoencoderKL vae) {
        MessageDigest sha = Sha256.digest();
        sha.update("mean".getBytes(StandardCharsets.UTF_8));
        try {
            for (Map.Entry<String, Tensor> e : vae.stateDict().entrySet()) {
                Tensor t = e.getValue();
                sha.update((e.getKey() + "|" + Tensors.dtype(t) + "|" + Tensors.shapeString(t) + "\n").getBytes(StandardCharsets.UTF_8));
                TensorBytes.stream(t, sha::update);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("hashing into memory cannot fail", e);
        }
        return Sha256.hex(sha).substring(0, 16);
    }
}
