package dev.lycoris4j.train.data;

/**
 * What a dataset uses where its config says nothing: the command line's (or train config's) resolution, bucket,
 * batch and caption options, as kohya falls back to its arguments for keys a dataset TOML leaves out.
 */
public record DatasetDefaults(BucketSettings buckets, int batchSize, CaptionSettings captions, boolean balanceClasses) {}
