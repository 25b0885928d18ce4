package dev.lycoris4j.diffusion.pipeline;

import dev.lycoris4j.core.memory.StepScope;
import dev.lycoris4j.core.nn.NoGrad;
import dev.lycoris4j.core.tensor.Tensors;
import dev.lycoris4j.diffusion.model.StableDiffusion;
import dev.lycoris4j.diffusion.scheduler.Guidance;
import dev.lycoris4j.diffusion.scheduler.Scheduler;
import dev.lycoris4j.diffusion.scheduler.Schedulers;
import dev.lycoris4j.diffusion.text.ClipTextModel;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.util.function.IntConsumer;

/**
 * diffusers' StableDiffusionPipeline / StableDiffusionXLPipeline txt2img, step for step: prompt
 * encoding, seeded initial latents (CPU randn from {@code manual_seed(seed)}, times the scheduler's
 * init sigma), classifier-free guidance with the unconditional half first, and VAE decoding.
 */
public final class TextToImage {
    private final StableDiffusion sd;

    public TextToImage(StableDiffusion sd) {
        this.sd = sd;
    }

    /** The outputs of one image: initial and final latents, and the decoded image. */
    public record Result(Tensor initialLatents, Tensor finalLatents, Tensor image) {
        /** HWC uint8 RGB, as diffusers' numpy_to_pil rounds (x·255).round(). */
        public byte[] rgb() {
            float[] v = Tensors.toFloats(image);
            byte[] out = new byte[v.length];
            for (int i = 0; i < v.length; i++) out[i] = (byte) Math.round(v[i] * 255f);
            return out;
        }

        public int width() { return (int) image.size(1); }

        public int height() { return (int) image.size(0); }
    }

    /** Prompt embeddings for the guidance batch: unconditional first, as diffusers concatenates them. */
    public record Conditioning(Tensor context, Tensor pooled, Tensor timeIds) {}

    public Result generate(GenerationRequest r, IntConsumer onStep) {
        try (NoGrad g = new NoGrad()) {
            Conditioning c = encode(r);
            Tensor init = initialLatents(r.seed(), r.width(), r.height());
            Scheduler scheduler = Schedulers.create(r.sampler(), sd.scheduler());
            scheduler.setTimesteps(r.steps());
            // Drawn on the CPU like diffusers' CPU generator, so a seed gives the same image on any device.
            Tensor latents = init.to(unetDevice(), torch.ScalarType.Float).mul(new Scalar(scheduler.initNoiseSigma()));
            Tensor initial = latents;
            float[] timesteps = scheduler.timesteps();
            for (int i = 0; i < timesteps.length; i++) {
                try (StepScope step = new StepScope()) {
                    Tensor next = denoise(scheduler, i, timesteps[i], latents, c, r.guidanceScale());
                    latents = StepScope.keep(next);
                }
                onStep.accept(i);
            }
            Tensor image = decode(latents);
            return new Result(initial, latents, image);
        }
    }

    private Tensor denoise(Scheduler scheduler, int i, float t, Tensor latents, Conditioning c, double cfg) {
        Tensor input = scheduler.scaleModelInput(torch.cat(new TensorVector(latents, latents), 0), i);
        Tensor timestep = Tensors.scalar(t).to(latents.device(), timestepDtype(t));
        Tensor out = sd.unet().forward(input.to(unetDtype()), timestep, c.context(), c.pooled(), c.timeIds())
                .to(latents.scalar_type());
        var halves = out.chunk(2, 0);
        Tensor guided = Guidance.classifierFree(halves.get(0), halves.get(1), cfg);
        return scheduler.step(guided, i, latents).prevSample();
    }

    private static torch.ScalarType timestepDtype(float t) {
        // diffusers feeds int64 timesteps except where the scheduler's are fractional (Euler linspace).
        return t == Math.rint(t) ? torch.ScalarType.Long : torch.ScalarType.Float;
    }

    private torch.ScalarType unetDtype() {
        return sd.unet().stateDict().values().iterator().next().scalar_type();
    }

    private org.bytedeco.pytorch.Device unetDevice() {
        return sd.unet().stateDict().values().iterator().next().device();
    }

    /** diffusers' latents for a seed: {@code torch.randn((1, 4, h/8, w/8), generator=manual_seed(seed))} on the CPU. */
    public Tensor initialLatents(long seed, int width, int height) {
        torch.manual_seed(seed);
        long channels = sd.unet().config().inChannels();
        return torch.randn(1, channels, height / 8, width / 8);
    }

    /** Decodes final latents to an HWC float image in [0, 1]. */
    public Tensor decode(Tensor latents) {
        Tensor z = latents.div(new Scalar(sd.vae().config().scalingFactor()));
        Tensor raw = sd.vae().decode(z.to(sd.vae().stateDict().values().iterator().next().scalar_type()));
        Tensor img = raw.div(new Scalar(2)).add(new Scalar(0.5)).clamp(new org.bytedeco.pytorch.ScalarOptional(new Scalar(0)),
                new org.bytedeco.pytorch.ScalarOptional(new Scalar(1)));
        return img.get(0).permute(1, 2, 0).to(torch.ScalarType.Float).contiguous();
    }

    /** The guidance batch's text conditioning for this request. */
    public Conditioning encode(GenerationRequest r) {
        if (sd.kind() == StableDiffusion.Kind.SDXL) return encodeXl(r);
        Tensor uncond = encodeSd(r.negativePrompt(), r.clipSkip());
        Tensor cond = encodeSd(r.prompt(), r.clipSkip());
        return new Conditioning(torch.cat(new TensorVector(uncond, cond), 0), null, null);
    }

    private Tensor encodeSd(String prompt, int clipSkip) {
        Tensor ids = Tensors.fromLongs(sd.tokenizer().inputIds(prompt), 1, 77);
        return sd.textEncoder().forward(ids).fromEndNormed(clipSkip);
    }

    private Conditioning encodeXl(GenerationRequest r) {
        Tensor[] cond = encodeXlPrompt(r.prompt());
        Tensor[] uncond;
        if (r.negativePrompt().isEmpty()) {
            // force_zeros_for_empty_prompt: an empty negative prompt conditions on zeros, pooled included.
            uncond = new Tensor[] {torch.zeros_like(cond[0]), torch.zeros_like(cond[1])};
        } else {
            uncond = encodeXlPrompt(r.negativePrompt());
        }
        Tensor ids = Tensors.fromFloats(new float[] {r.height(), r.width(), 0, 0, r.height(), r.width()}, 1, 6);
        return new Conditioning(torch.cat(new TensorVector(uncond[0], cond[0]), 0),
                torch.cat(new TensorVector(uncond[1], cond[1]), 0),
                torch.cat(new TensorVector(ids, ids), 0));
    }

    /** SDXL: penultimate layers of both encoders (no final norm), concatenated; pooled = encoder 2's projection. */
    private Tensor[] encodeXlPrompt(String prompt) {
        ClipTextModel.Output o1 = sd.textEncoder().forward(Tensors.fromLongs(sd.tokenizer().inputIds(prompt), 1, 77));
        ClipTextModel.Output o2 = sd.textEncoder2().forward(Tensors.fromLongs(sd.tokenizer2().inputIds(prompt), 1, 77));
        Tensor context = torch.cat(new TensorVector(o1.fromEnd(2), o2.fromEnd(2)), -1);
        return new Tensor[] {context, o2.textEmbeds()};
    }
}
