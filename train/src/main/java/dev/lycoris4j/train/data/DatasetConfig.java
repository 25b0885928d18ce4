package dev.lycoris4j.train.data;

import java.util.List;

/**
 * One kohya dataset: subsets trained at one resolution and batch size.
 *
 * @param balanceClasses repeat images so that every class contributes equally to an epoch ({@link EpochPlan})
 */
public record DatasetConfig(List<Subset> subsets, BucketSettings buckets, int batchSize, boolean balanceClasses) {

    public DatasetConfig {
        subsets = List.copyOf(subsets);
        if (subsets.stream().allMatch(Subset::isReg)) {
            throw new IllegalArgumentException("a dataset needs at least one folder (subset) of training images besides regularisation images");
        }
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
}
