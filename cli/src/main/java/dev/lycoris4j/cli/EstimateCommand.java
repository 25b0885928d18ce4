package dev.lycoris4j.cli;

import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.train.estimate.AdapterEstimate;
import dev.lycoris4j.train.estimate.EstimateReport;
import dev.lycoris4j.train.estimate.Estimator;
import dev.lycoris4j.train.estimate.ModelArchitecture;
import dev.lycoris4j.train.network.NetworkConfig;
import dev.lycoris4j.train.network.NetworkPreset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "estimate", mixinStandardHelpOptions = true, usageHelpWidth = 100,
        header = "Count an adapter's modules, parameters and file size before training it.",
        description = {"Builds the model's text encoders and UNet without memory (meta tensors), selects the layers the",
                "preset wraps, creates each adapter as training would and measures it: modules, trainable parameters",
                "(alphas excluded) and the safetensors file size in the save dtype (metadata excluded)."},
        footerHeading = "%nExamples:%n",
        footer = {"  lycoris estimate --arch sd15 --algo lora --dim 8 --preset attn-only",
                "  lycoris estimate --arch sd15 --algo lokr --dim 10000 --factor 8 --preset full --paper-era --json",
                "  lycoris estimate --arch sdxl --algo krona --a1 4 --a2 64 --preset attn-only --unet-only"})
final class EstimateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--arch", required = true, paramLabel = "sd15|sd21|sdxl|MODEL",
            description = "a built-in full-size architecture, or a diffusers model folder (only its configs are read)")
    String arch;

    @Option(names = "--algo", defaultValue = "lora", paramLabel = "ALGO",
            description = "lora (locon), loha, lokr, dylora, glora, ia3, diag-oft, boft, full, krona (default: ${DEFAULT-VALUE})")
    String algo;

    @Option(names = "--dim", defaultValue = "4", description = "linear rank, kohya's network_dim (default: ${DEFAULT-VALUE})")
    int dim;

    @Option(names = "--alpha", defaultValue = "1", description = "linear alpha (default: ${DEFAULT-VALUE})")
    double alpha;

    @Option(names = "--conv-dim", description = "rank of k×k convs (default: --dim, as kohya)")
    Integer convDim;

    @Option(names = "--conv-alpha", description = "alpha of k×k convs (default: --alpha)")
    Double convAlpha;

    @Option(names = "--factor", defaultValue = "-1", description = "LoKr factor, -1 for the most square split (default: ${DEFAULT-VALUE})")
    int factor;

    @Option(names = "--full-matrix", description = "LoKr: keep w2 whole")
    boolean fullMatrix;

    @Option(names = "--decompose-both", description = "LoKr: decompose w1 too")
    boolean decomposeBoth;

    @Option(names = "--use-tucker", description = "Tucker cores on k×k convs (LoRA, LoHa, LoKr)")
    boolean useTucker;

    @Option(names = "--dora", description = "weight decomposition (DoRA) for LoRA, LoHa, LoKr")
    boolean dora;

    @Option(names = "--a1", defaultValue = "4", description = "DiffuseKronA factor dividing the output dim (default: ${DEFAULT-VALUE})")
    int a1;

    @Option(names = "--a2", defaultValue = "64", description = "DiffuseKronA factor dividing the input dim (default: ${DEFAULT-VALUE})")
    int a2;

    @Option(names = "--preset", defaultValue = "full", paramLabel = "PRESET",
            description = "full, full-lin, attn-mlp, attn-only, unet-only, unet-transformer-only, unet-convblock-only, ia3, "
                    + "or a TOML preset file (default: ${DEFAULT-VALUE})")
    String preset;

    @Option(names = "--paper-era", description = "apply the preset as LyCORIS < 1.9.0 did (the paper's runs): no UNet "
            + "name targets, so full skips conv_in, conv_out and the time embedding")
    boolean paperEra;

    @Option(names = "--unet-only", description = "leave the text encoders out")
    boolean unetOnly;

    @Option(names = "--train-norm", description = "also train the norms inside the targeted modules")
    boolean trainNorm;

    @Option(names = "--dtype", defaultValue = "fp16", paramLabel = "fp32|fp16|bf16", converter = MergeCommand.DtypeConverter.class,
            description = "save dtype (default: ${DEFAULT-VALUE})")
    DType dtype;

    @Option(names = "--json", description = "print JSON (modules, parameters, bytes, ...) instead of text")
    boolean json;

    @Override
    public Integer call() {
        AdapterConfig adapter = AdapterConfig.builder(Algorithm.parse(algo), dim, alpha).factor(factor).fullMatrix(fullMatrix)
                .decomposeBoth(decomposeBoth).useTucker(useTucker).weightDecompose(dora).a1(a1).a2(a2).build();
        NetworkPreset p = NetworkPreset.resolve(preset);
        NetworkConfig config = NetworkConfig.of(adapter, paperEra ? p.paperEra() : p)
                .withConv(convDim != null ? convDim : dim, convAlpha != null ? convAlpha : alpha)
                .withTrainNorm(trainNorm).withTrainTextEncoder(!unetOnly);
        ModelArchitecture architecture = ModelArchitecture.resolve(arch);
        AdapterEstimate estimate = Estimator.estimate(architecture, config, dtype);
        EstimateReport report = new EstimateReport(architecture.name(), preset + (paperEra ? " (paper era)" : ""), config, estimate);
        spec.commandLine().getOut().print(json ? report.json() : report.text());
        return 0;
    }
}
