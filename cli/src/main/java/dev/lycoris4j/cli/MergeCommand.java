package dev.lycoris4j.cli;

import dev.lycoris4j.adapters.io.AdapterFile;
import dev.lycoris4j.adapters.merge.MergeReport;
import dev.lycoris4j.adapters.merge.Merger;
import dev.lycoris4j.adapters.merge.WeightedAdapter;
import dev.lycoris4j.adapters.tools.AdapterCombiner;
import dev.lycoris4j.adapters.tools.CombineOptions;
import dev.lycoris4j.adapters.tools.ProgressBar;
import dev.lycoris4j.adapters.tools.ToolReport;
import dev.lycoris4j.core.tensor.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "merge", mixinStandardHelpOptions = true, usageHelpWidth = 100,
        header = "Merge adapters into a checkpoint, each at its own scale.",
        description = {"Merge one or more adapters into a checkpoint (a safetensors state dict with <module>.weight keys):",
                "W' = W + the sum of each adapter's change at its scale, computed in fp32. Other tensors are copied",
                "byte for byte. Prints which adapter modules went into which weight, and which did not and why.",
                "With --combine, sums the adapters into one adapter file instead (whole diffs, or a LoRA with",
                "--dim); merging that file does what merging the adapters does. --base is then needed only for",
                "OFT, BOFT, (IA)3, GLoRA and DoRA, whose change depends on the weight."},
        footerHeading = "%nExamples:%n",
        footer = {"  lycoris merge --base out/demo/base.safetensors --adapter out/demo/lora.safetensors:0.8 "
                + "--adapter out/demo/lokr.safetensors -o merged.safetensors --dtype fp16",
                "  lycoris merge --combine --adapter a.safetensors:0.7 --adapter b.safetensors -o ab.safetensors"})
final class MergeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--base", paramLabel = "CKPT", description = "the checkpoint to merge into (required without --combine)")
    Path base;

    @Option(names = "--adapter", required = true, paramLabel = "FILE[:SCALE]", converter = AdapterArgument.Converter.class,
            description = "an adapter file and its scale (default 1); repeat to stack several")
    List<AdapterArgument> adapters;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "the merged checkpoint to write")
    Path output;

    @Option(names = "--dtype", paramLabel = "fp32|fp16|bf16", converter = DtypeConverter.class,
            description = "dtype of the result's floating-point tensors (default: each keeps the base's; fp16 with --combine)")
    DType dtype;

    @Option(names = "--combine", description = "write the adapters' summed change as one adapter file instead of merging")
    boolean combine;

    @Option(names = "--dim", paramLabel = "N", description = "with --combine: store a LoRA of this rank instead of whole diffs")
    Integer dim;

    @Override
    public Integer call() throws Exception {
        if (combine) return combine();
        if (dim != null) throw new ParameterException(spec.commandLine(), "--dim applies with --combine only");
        if (base == null) throw new ParameterException(spec.commandLine(), "--base is required unless --combine is given");
        Errors.readableFile(base, "base checkpoint");
        List<WeightedAdapter> weighted = readAdapters();
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        MergeReport report = Merger.merge(base, weighted, output, dtype);
        spec.commandLine().getOut().print(MergeOutput.text(report));
        return 0;
    }

    /** {@code --combine}: {@link AdapterCombiner} over the same adapters and scales. */
    private int combine() throws Exception {
        if (base != null) Errors.readableFile(base, "base checkpoint");
        List<WeightedAdapter> weighted = readAdapters();
        CombineOptions options;
        try {
            options = new CombineOptions(dim, base, dtype == null ? DType.F16 : dtype);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        ToolReport report = AdapterCombiner.combine(weighted, output, options,
                ProgressBar.forConsole(spec.commandLine().getErr(), "combine"));
        spec.commandLine().getOut().print(report.text());
        return 0;
    }

    private List<WeightedAdapter> readAdapters() throws IOException {
        List<WeightedAdapter> weighted = new ArrayList<>();
        for (AdapterArgument a : adapters) {
            weighted.add(new WeightedAdapter(AdapterFile.read(Errors.readableFile(a.file(), "adapter file")), a.scale()));
        }
        return weighted;
    }

    /** {@code FILE[:SCALE]}: the part after the last ':' is the scale when it is a number. */
    record AdapterArgument(Path file, double scale) {
        static final class Converter implements ITypeConverter<AdapterArgument> {
            @Override
            public AdapterArgument convert(String value) {
                int colon = value.lastIndexOf(':');
                if (colon > 0) {
                    try {
                        double scale = Double.parseDouble(value.substring(colon + 1));
                        if (!Double.isFinite(scale)) throw new TypeConversionException("scale must be finite in '" + value + "'");
                        return new AdapterArgument(Path.of(value.substring(0, colon)), scale);
                    } catch (NumberFormatException notAScale) {
                        // A ':' that is part of the file name.
                    }
                }
                return new AdapterArgument(Path.of(value), 1.0);
            }
        }
    }

    static final class DtypeConverter implements ITypeConverter<DType> {
        @Override
        public DType convert(String value) {
            try {
                return DType.parseUserName(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
