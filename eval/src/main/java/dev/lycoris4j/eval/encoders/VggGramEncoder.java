package dev.lycoris4j.eval.encoders;

import dev.lycoris4j.core.checkpoint.CheckpointFill;
import dev.lycoris4j.core.checkpoint.TensorSource;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.eval.image.ChannelNormalization;
import dev.lycoris4j.eval.image.ImageTransform;
import dev.lycoris4j.eval.image.ResizeMode;
import dev.lycoris4j.eval.metrics.GramFeatures;
import org.bytedeco.pytorch.Tensor;

import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LyCORIS-evaluation's {@code vgg19-gram} encoder: the normalised Gram matrices of conv1_1 … conv5_1
 * (see {@link VggFeatures} for which are post-ReLU), concatenated. Inputs keep their aspect ratio:
 * 'resize' becomes 'resize_rectangle' (shorter side 224), as the reference does for encoders that
 * take rectangles; crop and letterbox stay square.
 */
public final class VggGramEncoder implements Encoder {
    public static final int INPUT_SIZE = 224;
    private static final Pattern CONV_WEIGHT = Pattern.compile("features\\.(\\d+)\\.weight");
    private static final Pattern LAYER_TENSOR = Pattern.compile("features\\.(\\d+)\\.(weight|bias)");

    private final VggFeatures features;

    public VggGramEncoder(VggFeatures features) {
        this.features = features;
    }

    /**
     * A torchvision VGG state dict as {@code .safetensors} ({@code features.<i>.weight/bias}; the
     * classifier and layers after conv5_1 are not needed and ignored).
     */
    public static VggGramEncoder load(Path file) {
        TreeMap<Integer, long[]> convs = new TreeMap<>();
        try (SafetensorsFile f = CheckpointFill.open(file)) {
            for (String key : f.names()) {
                Matcher m = CONV_WEIGHT.matcher(key);
                if (!m.matches()) continue;
                long[] s = CheckpointShapes.shape(f, key);
                if (s.length != 4 || s[2] != 3 || s[3] != 3) {
                    throw new IllegalArgumentException(file + ": " + key + " has shape " + java.util.Arrays.toString(s)
                            + "; expected a 3x3 conv (batch-norm VGG variants are not supported)");
                }
                convs.put(Integer.parseInt(m.group(1)), new long[] {s[1], s[0]});
            }
        }
        if (convs.isEmpty()) throw new IllegalArgumentException(file + ": not a torchvision VGG checkpoint (no features.<i>.weight)");
        VggFeatures model;
        try {
            model = new VggFeatures(convs, Placement.cpu());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        int cut = model.capturedIndices().getLast();
        CheckpointFill.load(file, List.of(new CheckpointFill.Target(model, TensorSource::of)), key -> beyond(key, cut));
        model.train(false);
        return new VggGramEncoder(model);
    }

    /** Layers after the cut and the classifier are legitimately unused. */
    private static boolean beyond(String key, int cut) {
        if (key.startsWith("classifier.")) return true;
        Matcher m = LAYER_TENSOR.matcher(key);
        return m.matches() && Integer.parseInt(m.group(1)) > cut;
    }

    @Override public String name() { return "vgg19-gram"; }

    public VggFeatures features() {
        return features;
    }

    @Override
    public ImageTransform transform(ResizeMode mode) {
        return new ImageTransform(INPUT_SIZE, mode == ResizeMode.STRETCH ? ResizeMode.SCALE : mode, ChannelNormalization.IMAGENET);
    }

    /** [n, 3, H, W] → [n, ΣC²] Gram features. */
    @Override
    public Tensor encodePixels(Tensor pixels) {
        return GramFeatures.encode(features.stageMaps(pixels));
    }
}
