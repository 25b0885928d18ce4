package dev.lycoris4j.train.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Aspect-ratio buckets as kohya's sd-scripts makes and picks them ({@code make_bucket_resolutions} and
 * {@code BucketManager.select_bucket}), so a dataset lands in the same buckets, at the same resize and crop, as
 * it does there.
 */
public final class Buckets {
    /** kohya's {@code make_bucket_resolutions} default, which its bucket manager never overrides. */
    public static final int DIVISIBLE = 64;

    /**
     * Where an image goes: the bucket it trains at, the size it is resized to (covering the bucket, so at most one
     * side is longer), and the bucket's aspect ratio minus the image's.
     */
    public record Choice(Resolution bucket, Resolution resized, double aspectError) {}

    private final BucketSettings settings;
    private final List<Resolution> predefined;
    private final Set<Resolution> predefinedSet;
    private final double[] predefinedRatios;

    public Buckets(BucketSettings settings) {
        this.settings = settings;
        if (!settings.enabled()) {
            predefined = List.of(settings.resolution());
        } else if (settings.noUpscale()) {
            predefined = List.of();
        } else {
            predefined = resolutions(settings.resolution(), settings.minSize(), settings.maxSize(), DIVISIBLE);
        }
        predefinedSet = Set.copyOf(predefined);
        predefinedRatios = new double[predefined.size()];
        for (int i = 0; i < predefinedRatios.length; i++) predefinedRatios[i] = predefined.get(i).aspectRatio();
    }

    public BucketSettings settings() {
        return settings;
    }

    /** The fixed buckets images are fitted into, sorted (empty with {@code bucket_no_upscale}). */
    public List<Resolution> predefined() {
        return predefined;
    }

    /**
     * kohya's {@code make_bucket_resolutions}: the square of side ⌊√area / d⌋·d, then for every width w from
     * {@code minSize} to {@code maxSize} in steps of d the tallest height h = min(maxSize, ⌊⌊area / w⌋ / d⌋·d) that
     * keeps w·h within the area, with its transpose, if h is at least {@code minSize}; sorted.
     */
    public static List<Resolution> resolutions(Resolution max, int minSize, int maxSize, int divisible) {
        long maxArea = max.area();
        TreeSet<Resolution> out = new TreeSet<>();
        int side = (int) (Math.floor(Math.sqrt((double) maxArea) / divisible) * divisible);
        out.add(Resolution.square(side));
        for (int width = minSize; width <= maxSize; width += divisible) {
            int height = (int) Math.min(maxSize, (maxArea / width) / divisible * divisible);
            if (height >= minSize) {
                out.add(new Resolution(width, height));
                out.add(new Resolution(height, width));
            }
        }
        return List.copyOf(new ArrayList<>(out));
    }

    /** kohya's {@code select_bucket}: the bucket, resize and aspect error of an image of this size. */
    public Choice select(int imageWidth, int imageHeight) {
        double aspect = (double) imageWidth / imageHeight;
        Resolution reso;
        Resolution resized;
        if (!settings.noUpscale()) {
            reso = new Resolution(imageWidth, imageHeight);
            if (!predefinedSet.contains(reso)) reso = predefined.get(closestAspect(aspect));
            // Scale so the image covers the bucket: match the side that is relatively shorter.
            double scale = aspect > reso.aspectRatio()
                    ? (double) reso.height() / imageHeight
                    : (double) reso.width() / imageWidth;
            resized = new Resolution((int) (imageWidth * scale + 0.5), (int) (imageHeight * scale + 0.5));
        } else {
            resized = shrunkToArea(imageWidth, imageHeight, aspect);
            // The bucket is the resized size rounded down: the image is cropped, never padded.
            reso = new Resolution(resized.width() - resized.width() % settings.steps(),
                    resized.height() - resized.height() % settings.steps());
        }
        return new Choice(reso, resized, reso.aspectRatio() - aspect);
    }

    /** numpy's argmin of |ratio − aspect|: the first of equally close buckets. */
    private int closestAspect(double aspect) {
        int best = 0;
        for (int i = 1; i < predefinedRatios.length; i++) {
            if (Math.abs(predefinedRatios[i] - aspect) < Math.abs(predefinedRatios[best] - aspect)) best = i;
        }
        return best;
    }

    /**
     * {@code bucket_no_upscale}: an image larger than the resolution's area is shrunk to that area, keeping its
     * aspect; of the two ways to round the result to the steps (width first or height first) the one with the
     * smaller aspect error wins. Smaller images keep their size.
     */
    private Resolution shrunkToArea(int imageWidth, int imageHeight, double aspect) {
        double maxArea = settings.resolution().area();
        if ((double) imageWidth * imageHeight <= maxArea) return new Resolution(imageWidth, imageHeight);
        double resizedWidth = Math.sqrt(maxArea * aspect);
        double resizedHeight = maxArea / resizedWidth;

        int widthRounded = roundToSteps(resizedWidth);
        int heightInWidthRounded = roundToSteps(widthRounded / aspect);
        double arWidthRounded = (double) widthRounded / heightInWidthRounded;

        int heightRounded = roundToSteps(resizedHeight);
        int widthInHeightRounded = roundToSteps(heightRounded * aspect);
        double arHeightRounded = (double) widthInHeightRounded / heightRounded;

        if (Math.abs(arWidthRounded - aspect) < Math.abs(arHeightRounded - aspect)) {
            return new Resolution(widthRounded, (int) (widthRounded / aspect + 0.5));
        }
        return new Resolution((int) (heightRounded * aspect + 0.5), heightRounded);
    }

    /** kohya's {@code round_to_steps}: round half up, then down to a multiple of the steps. */
    private int roundToSteps(double x) {
        int rounded = (int) (x + 0.5);
        return rounded - rounded % settings.steps();
    }
}
