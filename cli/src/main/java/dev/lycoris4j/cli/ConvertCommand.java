package dev.lycoris4j.cli;

import dev.lycoris4j.adapters.tools.ConvertOptions;
import dev.lycoris4j.adapters.tools.KeyStyle;
import dev.lycoris4j.adapters.tools.LoraConverter;
import dev.lycoris4j.adapters.tools.ProgressBar;
import dev.lycoris4j.adapters.tools.ToolReport;
import dev.lycoris4j.core.tensor.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "convert", mixinStandardHelpOptions = true, usageHelpWidth = 100,
        header = "Convert any adapter into a plain LoRA/LoCon by truncated SVD of each module's weight change.",
        description = {"Each module's change dW (as a merge applies it) becomes lora_up/lora_down of rank",
                "min(--dim, out, in*k*k), the best approximation of that rank; at full rank it reproduces dW.",
                "Prints the relative error |dW - dW_lora| / |dW| per module and for the whole file.",
                "OFT, BOFT, (IA)3, GLoRA and DoRA change the weight as a function of it: they need --base.",
                "--base also gives convs their exact kernel, and the module paths --keys may need.",
                "Norm modules and bias changes have no LoRA form: reported, not converted."},
        footerHeading = "%nExamples:%n",
        footer = {"  lycoris convert my_loha.safetensors -o my_lora.safetensors --to lora --dim 32",
                "  lycoris convert o.safetensors -o l.safetensors --to lora --dim 8 --base b.safetensors --keys peft"})
final class ConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "IN", description = "the adapter file to convert (kohya, LyCORIS or diffusers/PEFT keys)")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "the LoRA file to write")
    Path output;

    @Option(names = "--to", required = true, paramLabel = "lora", description = "the target format (only lora)")
    String to;

    @Option(names = "--dim", required = true, paramLabel = "N", description = "the LoRA rank")
    int dim;

    @Option(names = "--keys", paramLabel = "kohya|peft|lycoris", converter = KeysConverter.class,
            description = "key style of the output (default: each module's own)")
    KeyStyle keys;

    @Option(names = "--base", paramLabel = "CKPT", description = "the checkpoint the adapter was trained on")
    Path base;

    @Option(names = "--dtype", defaultValue = "fp16", paramLabel = "fp32|fp16|bf16", converter = MergeCommand.DtypeConverter.class,
            description = "dtype of the written factors (default: ${DEFAULT-VALUE})")
    DType dtype;

    @Override
    public Integer call() throws Exception {
        if (!to.equalsIgnoreCase("lora")) throw usage("--to " + to + " is not supported: use --to lora");
        Errors.readableFile(input, "adapter file");
        if (base != null) Errors.readableFile(base, "base checkpoint");
        ConvertOptions options;
        try {
            options = new ConvertOptions(dim, keys, base, dtype);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        ToolReport report = LoraConverter.convert(input, output, options,
                ProgressBar.forConsole(spec.commandLine().getErr(), "convert"));
        spec.commandLine().getOut().print(report.text());
        return 0;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    static final class KeysConverter implements ITypeConverter<KeyStyle> {
        @Override
        public KeyStyle convert(String value) {
            try {
                return KeyStyle.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
