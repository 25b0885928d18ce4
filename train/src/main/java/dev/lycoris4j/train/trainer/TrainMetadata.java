package dev.lycoris4j.train.trainer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.diffusion.model.StableDiffusion;
import dev.lycoris4j.train.data.DatasetConfig;
import dev.lycoris4j.train.data.EpochPlan;
import dev.lycoris4j.train.data.Resolution;
import dev.lycoris4j.train.data.Subset;
import dev.lycoris4j.train.data.TrainingData;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The kohya-style {@code ss_*} metadata written into every adapter file, with kohya's keys and Python-style values:
 * training settings, network (algorithm and args), base model name and hashes, and the datasets with their tag
 * frequencies and buckets (kohya's {@code --dataset_config} form: {@code ss_datasets}, {@code ss_tag_frequency},
 * {@code ss_dataset_dirs}). {@code sshs_model_hash} is added by the adapter writer.
 */
final class TrainMetadata {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> base;

    /** @param model hashes of the base model file, or null when there is no file */
    TrainMetadata(TrainConfig c, StableDiffusion.Kind kind, TrainingData data, EpochPlan plan, ModelHashes model,
                  long totalSteps, int totalEpochs, long warmupSteps, long sessionId, double startedAt) {
        OptimizerConfig o = c.optimizer();
        AdapterConfig a = c.network().adapter();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ss_session_id", sessionId);
        m.put("ss_training_started_at", startedAt);
        m.put("ss_output_name", "adapter");
        m.put("ss_learning_rate", o.unetLr());
        m.put("ss_text_encoder_lr", o.textEncoderLr());
        m.put("ss_unet_lr", o.unetLr());
        m.put("ss_num_train_images", plan.samplesPerEpoch() - plan.regularisationSamplesPerEpoch());
        m.put("ss_num_reg_images", plan.regularisationSamplesPerEpoch());
        m.put("ss_num_batches_per_epoch", plan.batchesPerEpoch());
        m.put("ss_num_epochs", totalEpochs);
        m.put("ss_gradient_checkpointing", c.gradientCheckpointing());
        m.put("ss_gradient_accumulation_steps", c.gradientAccumulation());
        m.put("ss_max_train_steps", totalSteps);
        m.put("ss_lr_warmup_steps", warmupSteps);
        m.put("ss_lr_scheduler", c.scheduler().kohyaName());
        m.put("ss_network_module", "lycoris.kohya");
        m.put("ss_network_dim", a.dim());
        m.put("ss_network_alpha", a.alpha());
        m.put("ss_network_dropout", a.dropout() == 0 ? null : a.dropout());
        m.put("ss_mixed_precision", c.mixedPrecision().kohyaName());
        m.put("ss_full_fp16", false);
        m.put("ss_v2", kind == StableDiffusion.Kind.SD2);
        m.put("ss_base_model_version", kind == StableDiffusion.Kind.SD2 ? "sd_v2" : "sd_v1");
        m.put("ss_clip_skip", c.clipSkip());
        m.put("ss_max_token_length", null);
        m.put("ss_cache_latents", true);
        m.put("ss_seed", c.seed());
        m.put("ss_noise_offset", null);
        m.put("ss_optimizer", optimizer(o));
        m.put("ss_max_grad_norm", o.maxGradNorm());
        m.put("ss_caption_dropout_rate", c.datasets().getFirst().subsets().getFirst().captions().dropoutRate());
        m.put("ss_caption_dropout_every_n_epochs", 0);
        m.put("ss_caption_tag_dropout_rate", c.datasets().getFirst().subsets().getFirst().captions().tagDropoutRate());
        m.put("ss_prior_loss_weight", c.priorLossWeight());
        m.put("ss_datasets", json(datasets(c, data, plan)));
        m.put("ss_tag_frequency", json(tagFrequency(c, data)));
        m.put("ss_dataset_dirs", json(datasetDirs(c, data)));
        m.put("ss_network_args", json(networkArgs(c)));
        if (model != null) {
            m.put("ss_sd_model_hash", model.legacy());
            m.put("ss_new_sd_model_hash", model.sha256());
            m.put("ss_sd_model_name", model.name());
        }
        Map<String, String> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, PythonStr.of(v)));
        this.base = Collections.unmodifiableMap(out);
    }

    /** The metadata of a file written after {@code steps} steps, in epoch {@code epoch} (1-based). */
    Map<String, String> at(long steps, int epoch) {
        Map<String, String> out = new LinkedHashMap<>(base);
        out.put("ss_training_finished_at", PythonStr.of(System.currentTimeMillis() / 1000.0));
        out.put("ss_steps", Long.toString(steps));
        out.put("ss_epoch", Integer.toString(epoch));
        return out;
    }

    /** kohya's {@code ss_optimizer}: the optimizer class's module and name, then the arguments it was given. */
    private static String optimizer(OptimizerConfig o) {
        String args = String.format(Locale.ROOT, "weight_decay=%s,betas=(%s, %s),eps=%s", PythonStr.of(o.weightDecay()),
                PythonStr.of(o.beta1()), PythonStr.of(o.beta2()), PythonStr.of(o.eps()));
        return switch (o.type()) {
            case ADAMW -> "torch.optim.adamw.AdamW(" + args + ")";
            case ADAMW_8BIT -> "bitsandbytes.optim.adamw.AdamW8bit(" + args
                    + (o.min8bitSize() == AdamW8bitOptimizer.MIN_8BIT_SIZE ? "" : ",min_8bit_size=" + o.min8bitSize()) + ")";
        };
    }

    private static List<Object> datasets(TrainConfig c, TrainingData data, EpochPlan plan) {
        List<Object> out = new ArrayList<>();
        List<Map<Resolution, Integer>> counts = plan.bucketCounts();
        for (int d = 0; d < c.datasets().size(); d++) {
            DatasetConfig ds = c.datasets().get(d);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("is_dreambooth", true);
            m.put("batch_size_per_device", ds.batchSize());
            m.put("num_train_images", uses(c, data, plan, d, false));
            m.put("num_reg_images", uses(c, data, plan, d, true));
            m.put("resolution", List.of(ds.buckets().resolution().width(), ds.buckets().resolution().height()));
            m.put("enable_bucket", ds.buckets().enabled());
            m.put("min_bucket_reso", ds.buckets().minSize());
            m.put("max_bucket_reso", ds.buckets().maxSize());
            m.put("tag_frequency", tagFrequency(c, data, d));
            m.put("bucket_info", bucketInfo(counts.get(d), data, d));
            List<Object> subsets = new ArrayList<>();
            for (int s = 0; s < ds.subsets().size(); s++) {
                Subset sub = ds.subsets().get(s);
                Map<String, Object> sm = new LinkedHashMap<>();
                sm.put("img_count", imageCount(data, d, s));
                sm.put("num_repeats", sub.numRepeats());
                sm.put("color_aug", false);
                sm.put("flip_aug", false);
                sm.put("random_crop", false);
                sm.put("shuffle_caption", sub.captions().shuffleCaption());
                sm.put("keep_tokens", sub.captions().keepTokens());
                sm.put("image_dir", sub.imageDir().getFileName().toString());
                sm.put("class_tokens", sub.classTokens());
                sm.put("is_reg", sub.isReg());
                subsets.add(sm);
            }
            m.put("subsets", subsets);
            out.add(m);
        }
        return out;
    }

    /** Uses per epoch of dataset {@code d}'s training (or regularisation) images. */
    private static int uses(TrainConfig c, TrainingData data, EpochPlan plan, int d, boolean regularisation) {
        int n = 0;
        for (int i = 0; i < data.samples().size(); i++) {
            TrainingData.Sample s = data.samples().get(i);
            if (s.dataset() == d && c.datasets().get(d).subsets().get(s.item().subset()).isReg() == regularisation) n += plan.uses(i);
        }
        return n;
    }

    private static Map<String, Object> bucketInfo(Map<Resolution, Integer> counts, TrainingData data, int dataset) {
        Map<String, Object> buckets = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<Resolution, Integer> e : counts.entrySet()) {
            buckets.put(Integer.toString(i++), Map.of("resolution", List.of(e.getKey().width(), e.getKey().height()),
                    "count", e.getValue()));
        }
        double sum = 0;
        int n = 0;
        for (TrainingData.Sample s : data.samples()) {
            if (s.dataset() != dataset) continue;
            sum += Math.abs(s.choice().aspectError());
            n++;
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("buckets", buckets);
        info.put("mean_img_ar_error", n == 0 ? 0.0 : sum / n);
        return info;
    }

    private static int imageCount(TrainingData data, int dataset, int subset) {
        int n = 0;
        for (TrainingData.Sample s : data.samples()) if (s.dataset() == dataset && s.item().subset() == subset) n++;
        return n;
    }

    /** kohya's tag frequency: per image folder name, each lower-cased comma-separated tag counted once per image. */
    private static Map<String, Map<String, Integer>> tagFrequency(TrainConfig c, TrainingData data, int dataset) {
        Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
        for (TrainingData.Sample s : data.samples()) {
            if (s.dataset() != dataset) continue;
            Subset sub = c.datasets().get(dataset).subsets().get(s.item().subset());
            Map<String, Integer> freq = out.computeIfAbsent(sub.imageDir().getFileName().toString(), k -> new LinkedHashMap<>());
            for (String tag : s.item().caption().split(",")) {
                String t = tag.strip().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) freq.merge(t, 1, Integer::sum);
            }
        }
        return out;
    }

    private static Map<String, Map<String, Integer>> tagFrequency(TrainConfig c, TrainingData data) {
        Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
        for (int d = 0; d < c.datasets().size(); d++) tagFrequency(c, data, d).forEach(out::putIfAbsent);
        return out;
    }

    private static Map<String, Object> datasetDirs(TrainConfig c, TrainingData data) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int d = 0; d < c.datasets().size(); d++) {
            List<Subset> subsets = c.datasets().get(d).subsets();
            for (int s = 0; s < subsets.size(); s++) {
                if (subsets.get(s).isReg()) continue; // as kohya: regularisation folders are not the dataset's
                String name = subsets.get(s).imageDir().getFileName().toString();
                String key = name;
                for (int i = 2; out.containsKey(key); i++) key = name + " (" + i + ")";
                out.put(key, Map.of("n_repeats", subsets.get(s).numRepeats(), "img_count", imageCount(data, d, s)));
            }
        }
        return out;
    }

    private static Map<String, String> networkArgs(TrainConfig c) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("algo", c.network().adapter().algorithm().id());
        out.put("preset", c.presetName());
        out.put("conv_dim", Integer.toString(c.network().convDim()));
        out.put("conv_alpha", PythonStr.of(c.network().convAlpha()));
        out.putAll(TrainArgs.networkArgs(c.args()));
        return out;
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("metadata maps of strings and numbers always serialise", e);
        }
    }
}
