package dev.lycoris4j.eval.run;

import dev.lycoris4j.eval.encoders.ClipEncoder;
import dev.lycoris4j.eval.encoders.DinoEncoder;
import dev.lycoris4j.eval.encoders.Encoder;
import dev.lycoris4j.eval.encoders.VggGramEncoder;
import dev.lycoris4j.eval.image.ResizeMode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The encoders of an evaluation run. Labels name the CSV columns ({@code Image Similarity (<label>-<mode>)},
 * {@code Vendi (<label>)}); the defaults are the reference's encoder keys, which the analysis shows as
 * DINOv2 and CLIP, so a run with the reference's checkpoints lines up with the paper's metric names. Give
 * your own label when you use another checkpoint.
 *
 * @param dino           a DINOv2 or DINO checkpoint (see {@link DinoEncoder#load}), or null
 * @param dinoLabel      null for the default: {@code dinov2-l-fb} (DINOv2) or {@code dino-vits16} (DINO)
 * @param clip           a CLIP checkpoint (see {@link ClipEncoder#load}), or null; it also scores text similarity
 * @param clipTokenizer  its tokenizer, or null to look beside it
 * @param vgg            a torchvision VGG19 state dict for the style losses, or null
 * @param referenceModes how dataset images are preprocessed (generated images always 'resize'); one column
 *                       set per mode, as the reference computes every mode of its feature files
 */
public record EncoderSettings(Path dino, int dinoSize, String dinoLabel, Path clip, Path clipTokenizer, String clipLabel,
                              Path vgg, List<ResizeMode> referenceModes) {
    public static final String CLIP_LABEL = "clip-L-14";
    public static final String DINOV2_LABEL = "dinov2-l-fb";
    public static final String DINO_LABEL = "dino-vits16";
    /** The reference's dataset feature modes. */
    public static final List<ResizeMode> REFERENCE_MODES = List.of(ResizeMode.STRETCH, ResizeMode.CENTER_CROP, ResizeMode.LETTERBOX);

    public EncoderSettings {
        if (dino == null && clip == null) {
            throw new IllegalArgumentException("an evaluation needs an image encoder: set dino, clip or both");
        }
        if (referenceModes.isEmpty()) throw new IllegalArgumentException("reference_modes is empty");
        if (referenceModes.contains(ResizeMode.SCALE)) {
            throw new IllegalArgumentException("reference mode resize_rectangle keeps the aspect ratio; DINO and CLIP take squares");
        }
        if (dinoLabel != null && dinoLabel.equals(clipLabel)) {
            throw new IllegalArgumentException("dino_label and clip_label are both '" + dinoLabel + "': their columns would collide");
        }
        referenceModes = List.copyOf(referenceModes);
    }

    /** An image encoder and the label of its columns. */
    public record Labelled(String label, Encoder encoder) {}

    /**
     * The loaded encoders: the image encoders with their labels (DINO first), the CLIP one again for text
     * similarity (null without CLIP), the VGG (or null).
     */
    public record Loaded(List<Labelled> image, ClipEncoder clip, String clipLabel, VggGramEncoder vgg) {}

    public Loaded load() {
        List<Labelled> image = new ArrayList<>();
        if (dino != null) {
            DinoEncoder encoder = DinoEncoder.load(dino, dinoSize);
            String fallback = encoder.name().equals("dinov2") ? DINOV2_LABEL : DINO_LABEL;
            image.add(new Labelled(dinoLabel != null ? dinoLabel : fallback, encoder));
        }
        ClipEncoder clipEncoder = clip == null ? null : ClipEncoder.load(clip, clipTokenizer);
        String label = clipLabel != null ? clipLabel : CLIP_LABEL;
        if (clipEncoder != null) image.add(new Labelled(label, clipEncoder));
        return new Loaded(List.copyOf(image), clipEncoder, label, vgg == null ? null : VggGramEncoder.load(vgg));
    }
}
