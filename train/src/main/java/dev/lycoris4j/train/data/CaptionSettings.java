package dev.lycoris4j.train.data;

/**
 * How a subset's captions are read and varied per step (kohya's subset options of the same names).
 *
 * @param extension          caption file suffix, {@code .txt} by default (kohya's default is {@code .caption})
 * @param keepTokens         the first N comma-separated tags stay in front when shuffling
 * @param shuffleCaption     shuffle the other tags every time the caption is used
 * @param dropoutRate        probability that the whole caption is replaced by the empty one
 * @param tagDropoutRate     probability that each non-kept tag is left out
 */
public record CaptionSettings(String extension, int keepTokens, boolean shuffleCaption, double dropoutRate,
                              double tagDropoutRate) {

    public static final String DEFAULT_EXTENSION = ".txt";

    public CaptionSettings {
        if (extension.isEmpty()) throw new IllegalArgumentException("caption_extension must not be empty");
        // kohya appends the extension verbatim, so "txt" there would look for "imagetxt"; both spellings mean ".txt" here.
        if (!extension.startsWith(".")) extension = "." + extension;
        if (keepTokens < 0) throw new IllegalArgumentException("keep_tokens must be >= 0, got " + keepTokens);
        checkRate("caption_dropout_rate", dropoutRate);
        checkRate("caption_tag_dropout_rate", tagDropoutRate);
    }

    public static CaptionSettings defaults() {
        return new CaptionSettings(DEFAULT_EXTENSION, 0, false, 0, 0);
    }

    public CaptionSettings withDropoutRate(double rate) {
        return new CaptionSettings(extension, keepTokens, shuffleCaption, rate, tagDropoutRate);
    }

    private static void checkRate(String name, double rate) {
        if (!(rate >= 0 && rate <= 1)) throw new IllegalArgumentException(name + " must be in [0, 1], got " + rate);
    }
}
