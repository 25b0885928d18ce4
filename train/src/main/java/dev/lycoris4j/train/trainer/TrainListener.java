package dev.lycoris4j.train.trainer;

/** What a training run reports while it runs. */
public interface TrainListener {

    /** A line about setup, checkpoints or the end of the run. */
    void message(String line);

    /** Called after every optimizer step. */
    void step(StepReport report);

    /**
     * One optimizer step.
     *
     * @param step       steps done, this one included (1-based)
     * @param epoch      the epoch this step belongs to (1-based)
     * @param loss       the step's loss (mean over its batches)
     * @param lr         the UNet group's learning rate in this step
     * @param seconds    wall time of this step
     * @param etaSeconds estimated time to the last step, from the mean step time of this session
     */
    record StepReport(long step, long totalSteps, int epoch, int totalEpochs, double loss, double lr, double seconds,
                      double etaSeconds) {}
}
