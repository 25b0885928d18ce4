package dev.lycoris4j.cli;

import dev.lycoris4j.adapters.tools.DiffExtractor;
import dev.lycoris4j.adapters.tools.ExtractOptions;
import dev.lycoris4j.adapters.tools.ProgressBar;
import dev.lycoris4j.adapters.tools.RankRule;
import dev.lycoris4j.adapters.tools.RankRule.Mode;
import dev.lycoris4j.adapters.tools.ToolReport;
import dev.lycoris4j.core.tensor.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "extract", mixinStandardHelpOptions = true, usageHelpWidth = 100,
        header = "Extract the change between a base and a fine-tuned checkpoint as a LoRA/LoCon adapter.",
        description = {"For every Linear/conv layer whose weight changed, D = W_tuned - W_base is factored by SVD",
                "into lora_up/lora_down (alpha = rank, scale 1) with the rank the mode picks; k x k convs get",
                "a Tucker core unless --no-tucker. A rank of out/2 or more stores D whole (diff). --mode full",
                "stores every change whole, norms (w_norm/b_norm) and embeddings included: merged back into",
                "the base it gives the tuned model (exactly with --dtype fp32). Module names follow kohya",
                "(lora_unet_, lora_te_, lora_te1/2_). Conv parameters default to the linear ones. Prints every",
                "module with its relative error |D - stored| / |D|; progress goes to stderr."},
        footerHeading = "%nExamples:%n",
        footer = {"  lycoris extract --base sd15.safetensors --tuned tuned.safetensors -o d.safetensors --linear-dim 8",
                "  lycoris extract --base base.safetensors --tuned tuned.safetensors -o d.safetensors --mode full"})
final class ExtractCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--base", required = true, paramLabel = "CKPT", description = "the checkpoint before fine-tuning")
    Path base;

    @Option(names = "--tuned", required = true, paramLabel = "CKPT", description = "the fine-tuned checkpoint")
    Path tuned;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "the adapter file to write")
    Path output;

    @Option(names = "--mode", defaultValue = "fixed", paramLabel = "MODE", converter = ModeConverter.class,
            description = "fixed, threshold, ratio, quantile or full (default: ${DEFAULT-VALUE})")
    Mode mode;

    @Option(names = "--linear-dim", paramLabel = "N", description = "fixed: rank of Linear layers and 1x1 convs (default 1)")
    Integer linearDim;

    @Option(names = "--conv-dim", paramLabel = "N", description = "fixed: rank of k x k convs")
    Integer convDim;

    @Option(names = "--linear-threshold", paramLabel = "X", description = "threshold: keep singular values above X (default 0)")
    Double linearThreshold;

    @Option(names = "--conv-threshold", paramLabel = "X", description = "threshold: the same for k x k convs")
    Double convThreshold;

    @Option(names = "--linear-ratio", paramLabel = "X", description = "ratio: keep singular values above X times the largest (default 0)")
    Double linearRatio;

    @Option(names = "--conv-ratio", paramLabel = "X", description = "ratio: the same for k x k convs")
    Double convRatio;

    @Option(names = "--linear-quantile", paramLabel = "X",
            description = "quantile: keep singular values while their running sum is below X of the total (default 1)")
    Double linearQuantile;

    @Option(names = "--conv-quantile", paramLabel = "X", description = "quantile: the same for k x k convs")
    Double convQuantile;

    @Option(names = "--no-tucker", description = "store k x k convs as plain LoCon, without the Tucker core")
    boolean noTucker;

    @Option(names = "--sparse-bias", description = "also store the largest entries of each low-rank residual (bias_indices/"
            + "bias_values/bias_size, as LyCORIS' extractor; LyCORIS' loaders ignore them, ours reject them)")
    boolean sparseBias;

    @Option(names = "--sparsity", paramLabel = "Q", description = "with --sparse-bias: keep residual entries at or above "
            + "this quantile of their magnitudes (default 0.98)")
    Double sparsity;

    @Option(names = "--dtype", defaultValue = "fp16", paramLabel = "fp32|fp16|bf16", converter = MergeCommand.DtypeConverter.class,
            description = "dtype of the written tensors (default: ${DEFAULT-VALUE})")
    DType dtype;

    @Override
    public Integer call() throws Exception {
        Errors.readableFile(base, "base checkpoint");
        Errors.readableFile(tuned, "tuned checkpoint");
        if (sparsity != null && !sparseBias) throw usage("--sparsity applies with --sparse-bias only");
        ExtractOptions options;
        try {
            options = ExtractOptions.of(rule()).withTucker(!noTucker)
                    .withSparseBias(sparseBias, sparsity == null ? 0.98 : sparsity).withDtype(dtype);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        ToolReport report = DiffExtractor.extract(base, tuned, output, options,
                ProgressBar.forConsole(spec.commandLine().getErr(), "extract"));
        spec.commandLine().getOut().print(report.text());
        return 0;
    }

    /** The chosen mode's parameters (conv defaulting to linear); another mode's parameters are a usage error. */
    private RankRule rule() {
        refuseUnless(Mode.FIXED, linearDim, "--linear-dim", convDim, "--conv-dim");
        refuseUnless(Mode.THRESHOLD, linearThreshold, "--linear-threshold", convThreshold, "--conv-threshold");
        refuseUnless(Mode.RATIO, linearRatio, "--linear-ratio", convRatio, "--conv-ratio");
        refuseUnless(Mode.QUANTILE, linearQuantile, "--linear-quantile", convQuantile, "--conv-quantile");
        return switch (mode) {
            case FIXED -> rule(linearDim == null ? 1.0 : linearDim, convDim == null ? null : (double) convDim);
            case THRESHOLD -> rule(linearThreshold == null ? 0.0 : linearThreshold, convThreshold);
            case RATIO -> rule(linearRatio == null ? 0.0 : linearRatio, convRatio);
            case QUANTILE -> rule(linearQuantile == null ? 1.0 : linearQuantile, convQuantile);
            case FULL -> RankRule.full();
        };
    }

    private RankRule rule(double linear, Double conv) {
        return new RankRule(mode, linear, conv == null ? linear : conv);
    }

    private void refuseUnless(Mode owner, Object linear, String linearName, Object conv, String convName) {
        if (mode == owner) return;
        String given = linear != null ? linearName : conv != null ? convName : null;
        if (given != null) throw usage(given + " applies to --mode " + owner.id() + " only, not " + mode.id());
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    static final class ModeConverter implements ITypeConverter<Mode> {
        @Override
        public Mode convert(String value) {
            try {
                return Mode.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
