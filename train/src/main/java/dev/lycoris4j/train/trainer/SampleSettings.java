package dev.lycoris4j.train.trainer;

import java.nio.file.Path;

/**
 * Images generated during training from a prompt file (kohya's {@code --sample_prompts}), into
 * {@code samples/} of the output folder, after every N epochs or steps and at the end.
 *
 * @param sampler ddim, euler, dpmpp-2m or dpmpp-2m-karras
 */
public record SampleSettings(Path prompts, int everyNEpochs, long everyNSteps, String sampler) {

    public SampleSettings {
        if (everyNEpochs < 0 || everyNSteps < 0) throw new IllegalArgumentException("sample intervals must be >= 0");
    }

    boolean due(long step, boolean epochEnded, int epochsDone) {
        return (everyNSteps > 0 && step % everyNSteps == 0)
                || (epochEnded && everyNEpochs > 0 && epochsDone % everyNEpochs == 0);
    }
}
