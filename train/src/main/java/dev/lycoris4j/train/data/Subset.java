package dev.lycoris4j.train.data;

import java.nio.file.Path;

/**
 * One folder of training images (kohya's DreamBooth subset).
 *
 * @param imageDir    the folder; images directly inside it, each with an optional same-name caption file
 * @param numRepeats  how often each image is used per epoch
 * @param classTokens the caption of images without a caption file (kohya: the folder name after {@code N_}), or null
 * @param captions    caption reading and variation
 * @param isReg       regularisation images (prior preservation): their loss is weighted by the prior loss weight and
 *                    they are repeated to match the training images ({@link EpochPlan})
 */
public record Subset(Path imageDir, int numRepeats, String classTokens, CaptionSettings captions, boolean isReg) {

    public Subset {
        if (numRepeats < 1) throw new IllegalArgumentException(imageDir + ": num_repeats must be >= 1, got " + numRepeats);
        if (classTokens != null && classTokens.isBlank()) classTokens = null;
    }

    /** Subsets of one class share their class tokens; a subset without them is a class of its own. */
    public String classKey() {
        return classTokens != null ? "class:" + classTokens : "dir:" + imageDir.toAbsolutePath().normalize();
    }
}
