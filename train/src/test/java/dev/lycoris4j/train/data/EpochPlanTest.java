package dev.lycoris4j.train.data;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EpochPlanTest {
    @TempDir
    Path dir;

    /** Returns the image itself: enough to batch and cache. */
    static final LatentEncoder IDENTITY = new LatentEncoder() {
        @Override public String fingerprint() { return "identity"; }
        @Override public Tensor encode(Tensor image) { return image.clone(); }
    };

    private TrainingData data(boolean balance, int batchSize) throws Exception {
        // class a: 1 square image × 1 repeat; class b: 2 square + 1 wide image × 2 repeats
        TestImages.png(dir.resolve("1_a/a0.png"), 64, 64, 1);
        TestImages.png(dir.resolve("2_b/b0.png"), 64, 64, 2);
        TestImages.png(dir.resolve("2_b/b1.png"), 64, 64, 3);
        TestImages.png(dir.resolve("2_b/b2.png"), 128, 32, 4);
        BucketSettings buckets = BucketSettings.of(Resolution.square(64), true, 32, 128, 32, false);
        DatasetConfig config = new DatasetConfig(DatasetFolders.subsets(dir, CaptionSettings.defaults(), false, s -> {}), buckets,
                batchSize, balance);
        return TrainingData.prepare(List.of(config), IDENTITY, new LatentCache(dir.resolve("cache"), s -> {}), false, s -> {});
    }

    private static Map<Integer, Integer> counts(List<EpochPlan.Batch> batches) {
        Map<Integer, Integer> out = new HashMap<>();
        for (EpochPlan.Batch b : batches) for (int i : b.samples()) out.merge(i, 1, Integer::sum);
        return out;
    }

    @Test
    void everySampleAppearsRepeatsTimesPerEpochInSingleBucketBatches() throws Exception {
        TrainingData data = data(false, 2);
        EpochPlan plan = new EpochPlan(data, 7);
        assertThat(plan.samplesPerEpoch()).isEqualTo(1 + 3 * 2);
        // buckets: 64×64 holds a0 once and b0, b1 twice (5 → 3 batches); 128×32 holds b2 twice (1 batch)
        assertThat(plan.batchesPerEpoch()).isEqualTo(4);
        for (int epoch = 0; epoch < 3; epoch++) {
            List<EpochPlan.Batch> batches = plan.batches(epoch);
            assertThat(batches).hasSize(4);
            for (EpochPlan.Batch b : batches) {
                assertThat(b.samples().length).isBetween(1, 2);
                for (int i : b.samples()) assertThat(data.samples().get(i).choice().bucket()).isEqualTo(b.bucket());
            }
            Map<Integer, Integer> counts = counts(batches);
            for (int i = 0; i < data.samples().size(); i++) {
                String name = data.samples().get(i).item().image().getFileName().toString();
                assertThat(counts.get(i)).as(name).isEqualTo(name.startsWith("a") ? 1 : 2);
            }
        }
    }

    @Test
    void theOrderIsAFunctionOfSeedAndEpoch() throws Exception {
        TrainingData data = data(false, 1);
        List<String> e0 = order(new EpochPlan(data, 7).batches(0));
        assertThat(order(new EpochPlan(data, 7).batches(0))).isEqualTo(e0);
        List<List<String>> others = new ArrayList<>();
        for (int e = 1; e < 6; e++) others.add(order(new EpochPlan(data, 7).batches(e)));
        others.add(order(new EpochPlan(data, 8).batches(0)));
        assertThat(others).anySatisfy(o -> assertThat(o).isNotEqualTo(e0));
    }

    private static List<String> order(List<EpochPlan.Batch> batches) {
        List<String> out = new ArrayList<>();
        for (EpochPlan.Batch b : batches) out.add(Arrays.toString(b.samples()));
        return out;
    }

    @Test
    void regularisationImagesAreRepeatedInOrderUntilTheyMatchTheTrainingSamples() throws Exception {
        // training: 2 images × 3 repeats = 6; regularisation: 4 images × 1 → first pass 1 each (4), then one more
        // for r0 and r1 (6): uses 2, 2, 1, 1
        assertThat(regUses(2, 3, 4, 1)).containsExactly(2, 2, 1, 1);
        // training: 1 image × 3; regularisation: 2 images × 4 → the first image's 4 uses already reach 3
        assertThat(regUses(1, 3, 2, 4)).containsExactly(4, 0);
    }

    private int[] regUses(int trainImages, int trainRepeats, int regImages, int regRepeats) throws Exception {
        Path root = dir.resolve("reg-" + trainImages + "-" + regImages);
        for (int i = 0; i < trainImages; i++) TestImages.png(root.resolve(trainRepeats + "_dog/t" + i + ".png"), 64, 64, i);
        for (int i = 0; i < regImages; i++) TestImages.png(root.resolve("reg/" + regRepeats + "_dog/r" + i + ".png"), 64, 64, 10 + i);
        List<Subset> subsets = new ArrayList<>(DatasetFolders.subsets(root, CaptionSettings.defaults(), false, s -> {}));
        subsets.addAll(DatasetFolders.subsets(root.resolve("reg"), CaptionSettings.defaults(), true, s -> {}));
        BucketSettings buckets = BucketSettings.of(Resolution.square(64), false, 64, 64, 64, false);
        TrainingData data = TrainingData.prepare(List.of(new DatasetConfig(subsets, buckets, 1, false)), IDENTITY,
                new LatentCache(dir.resolve("cache"), s -> {}), false, s -> {});
        EpochPlan plan = new EpochPlan(data, 1);
        assertThat(plan.regularisationSamplesPerEpoch()).isEqualTo(regUses(plan, data, true));
        assertThat(plan.samplesPerEpoch() - plan.regularisationSamplesPerEpoch()).isEqualTo(trainImages * trainRepeats);
        int[] out = new int[regImages];
        for (int i = 0; i < data.samples().size(); i++) {
            String name = data.samples().get(i).item().image().getFileName().toString();
            if (name.startsWith("r")) out[name.charAt(1) - '0'] = plan.uses(i);
        }
        assertThat(counts(plan.batches(0)).values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(plan.samplesPerEpoch());
        return out;
    }

    private static int regUses(EpochPlan plan, TrainingData data, boolean reg) {
        int n = 0;
        for (int i = 0; i < data.samples().size(); i++) {
            if (data.samples().get(i).item().image().getFileName().toString().startsWith("r") == reg) n += plan.uses(i);
        }
        return n;
    }

    @Test
    void balancingGivesEveryClassTheLargestClassesCount() throws Exception {
        TrainingData data = data(true, 2);
        EpochPlan plan = new EpochPlan(data, 7);
        // class b weighs 3 images × 2 = 6; class a's single image is used 6 times; b's stay at 2 each
        assertThat(plan.samplesPerEpoch()).isEqualTo(12);
        Map<Integer, Integer> counts = counts(plan.batches(0));
        for (int i = 0; i < data.samples().size(); i++) {
            String name = data.samples().get(i).item().image().getFileName().toString();
            assertThat(counts.get(i)).as(name).isEqualTo(name.startsWith("a") ? 6 : 2);
        }
        assertThat(counts(plan.batches(3))).isEqualTo(counts);
    }
}
