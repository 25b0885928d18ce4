package dev.lycoris4j.train.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Which samples each epoch trains on, in which batches and order, as kohya batches: a batch holds samples of one
 * dataset and one bucket; each epoch the samples of every bucket are shuffled and cut into batches of the dataset's
 * batch size (the last one may be short), and the batches are shuffled. Everything is a function of the seed and the
 * epoch number, so any epoch can be replayed (for resuming) without replaying the ones before it.
 *
 * <p>How often a sample is used per epoch: its subset's {@code num_repeats}; or, in a dataset with
 * {@code balance_classes}, so that every class (subsets sharing class tokens; a subset without them is a class of its
 * own) contributes the same number M of samples: M is the largest class's image count × repeats, and each of the n
 * images of a class is used ⌊M/n⌋ times, plus once more for M mod n of them chosen by the seed (the same ones every
 * epoch, so epochs keep one length).
 *
 * <p>Regularisation images (prior preservation) are used as kohya uses them: as many times as there are training
 * samples in their dataset, by going through them in order, first each with its own repeats, then one more use each,
 * until that count is reached (so a reg image may stay unused when the first pass already reaches it).
 */
public final class EpochPlan {

    /** One batch: indices into {@link TrainingData#samples()}, all of one dataset and one bucket. */
    public record Batch(int dataset, Resolution bucket, int[] samples) {}

    private static final long EPOCH_STREAM = 1;
    private static final long BALANCE_STREAM = 2;

    private final TrainingData data;
    private final long seed;
    /** Per dataset, per bucket (sorted): sample indices, each as often as it is used per epoch. */
    private final List<Map<Resolution, List<Integer>>> pools;
    private final int[] uses;
    private final int batchesPerEpoch;
    private final int samplesPerEpoch;
    private final int regularisationSamplesPerEpoch;

    public EpochPlan(TrainingData data, long seed) {
        this.data = data;
        this.seed = seed;
        this.uses = uses(data, seed);
        List<Map<Resolution, List<Integer>>> p = new ArrayList<>();
        int batches = 0;
        int total = 0;
        int regularisation = 0;
        for (int i = 0; i < uses.length; i++) if (subsetOf(data, data.samples().get(i)).isReg()) regularisation += uses[i];
        for (int d = 0; d < data.datasets().size(); d++) {
            Map<Resolution, List<Integer>> byBucket = new TreeMap<>();
            for (int i = 0; i < uses.length; i++) {
                TrainingData.Sample s = data.samples().get(i);
                if (s.dataset() != d) continue;
                List<Integer> pool = byBucket.computeIfAbsent(s.choice().bucket(), k -> new ArrayList<>());
                for (int u = 0; u < uses[i]; u++) pool.add(i);
            }
            int batchSize = data.datasets().get(d).batchSize();
            for (List<Integer> pool : byBucket.values()) {
                batches += (pool.size() + batchSize - 1) / batchSize;
                total += pool.size();
            }
            p.add(byBucket);
        }
        this.pools = p;
        this.batchesPerEpoch = batches;
        this.samplesPerEpoch = total;
        this.regularisationSamplesPerEpoch = regularisation;
    }

    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    /** Samples per epoch, repeats and regularisation images included. */
    public int samplesPerEpoch() {
        return samplesPerEpoch;
    }

    /** How many times sample {@code i} (of {@link TrainingData#samples()}) is used per epoch. */
    public int uses(int i) {
        return uses[i];
    }

    /** Regularisation samples per epoch (kohya's {@code num_reg_images}; the rest is its {@code num_train_images}). */
    public int regularisationSamplesPerEpoch() {
        return regularisationSamplesPerEpoch;
    }

    /** Per dataset, bucket → samples per epoch (kohya's bucket counts, repeats included). */
    public List<Map<Resolution, Integer>> bucketCounts() {
        List<Map<Resolution, Integer>> out = new ArrayList<>();
        for (Map<Resolution, List<Integer>> byBucket : pools) {
            Map<Resolution, Integer> counts = new LinkedHashMap<>();
            byBucket.forEach((k, v) -> counts.put(k, v.size()));
            out.add(counts);
        }
        return out;
    }

    /** The batches of epoch {@code epoch} (0-based) in training order. */
    public List<Batch> batches(int epoch) {
        SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, EPOCH_STREAM, epoch));
        List<Batch> out = new ArrayList<>(batchesPerEpoch);
        for (int d = 0; d < pools.size(); d++) {
            int batchSize = data.datasets().get(d).batchSize();
            for (Map.Entry<Resolution, List<Integer>> e : pools.get(d).entrySet()) {
                List<Integer> pool = new ArrayList<>(e.getValue());
                Collections.shuffle(pool, rng);
                for (int start = 0; start < pool.size(); start += batchSize) {
                    List<Integer> slice = pool.subList(start, Math.min(pool.size(), start + batchSize));
                    out.add(new Batch(d, e.getKey(), slice.stream().mapToInt(Integer::intValue).toArray()));
                }
            }
        }
        Collections.shuffle(out, rng);
        return out;
    }

    /** How many times each sample is used per epoch (see the class comment). */
    static int[] uses(TrainingData data, long seed) {
        List<TrainingData.Sample> samples = data.samples();
        int[] uses = new int[samples.size()];
        for (int i = 0; i < uses.length; i++) uses[i] = subsetOf(data, samples.get(i)).numRepeats();
        for (int d = 0; d < data.datasets().size(); d++) {
            if (data.datasets().get(d).balanceClasses()) balance(data, d, uses, seed);
            matchRegularisation(data, d, uses);
        }
        return uses;
    }

    /** Sets the uses of the training images of dataset {@code d} so every class has the largest class's count. */
    private static void balance(TrainingData data, int d, int[] uses, long seed) {
        List<TrainingData.Sample> samples = data.samples();
        Map<String, List<Integer>> classes = new TreeMap<>();
        for (int i = 0; i < uses.length; i++) {
            if (samples.get(i).dataset() == d && !subsetOf(data, samples.get(i)).isReg()) {
                classes.computeIfAbsent(subsetOf(data, samples.get(i)).classKey(), k -> new ArrayList<>()).add(i);
            }
        }
        int target = 0;
        for (List<Integer> members : classes.values()) {
            int weight = 0;
            for (int i : members) weight += uses[i];
            target = Math.max(target, weight);
        }
        SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, BALANCE_STREAM, d));
        for (List<Integer> members : classes.values()) {
            int n = members.size();
            List<Integer> order = new ArrayList<>(members);
            Collections.shuffle(order, rng);
            for (int k = 0; k < n; k++) uses[order.get(k)] = target / n + (k < target % n ? 1 : 0);
        }
    }

    /** kohya's loop over the regularisation images until they match the training samples (see the class comment). */
    private static void matchRegularisation(TrainingData data, int d, int[] uses) {
        List<Integer> regs = new ArrayList<>();
        int training = 0;
        for (int i = 0; i < uses.length; i++) {
            TrainingData.Sample s = data.samples().get(i);
            if (s.dataset() != d) continue;
            if (subsetOf(data, s).isReg()) regs.add(i);
            else training += uses[i];
        }
        if (regs.isEmpty()) return;
        int[] repeats = new int[regs.size()];
        for (int k = 0; k < regs.size(); k++) {
            repeats[k] = uses[regs.get(k)];
            uses[regs.get(k)] = 0;
        }
        int n = 0;
        boolean first = true;
        while (n < training) {
            for (int k = 0; k < regs.size() && n < training; k++) {
                int add = first ? repeats[k] : 1;
                uses[regs.get(k)] += add;
                n += add;
            }
            first = false;
        }
    }

    private static Subset subsetOf(TrainingData data, TrainingData.Sample s) {
        return data.datasets().get(s.dataset()).subsets().get(s.item().subset());
    }
}
