package dev.lycoris4j.cli;

import dev.lycoris4j.adapters.io.AdapterFile;
import dev.lycoris4j.adapters.merge.MergeReport;
import dev.lycoris4j.adapters.merge.Merger;
import dev.lycoris4j.adapters.merge.WeightedAdapter;
import dev.lycoris4j.core.tensor.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "merge", mixinStandardHelpOptions = true, usageHelpWidth = 100,
        header = "Merge adapters into a checkpoint, each at its own scale.",
        description = {"Merge one or more adapters into a checkpoint (a safetensors state dict with <module>.weight keys):",
                "W' = W + the sum of each adapter's change at its scale, computed in fp32. Other tensors are copied",
                "byte for byte. Prints which adapter modules went into which weight, and which did not and why."},
        footerHeading = "%nExample:%n",
        footer = "  lycoris merge --base out/demo/base.safetensors --adapter out/demo/lora.safetensors:0.8 "
                + "--adapter out/demo/lokr.safetensors -o merged.safetensors --dtype fp16")
final class MergeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--base", required = true, paramLabel = "CKPT", description = "the checkpoint to merge into")
    Path base;

    @Option(names = "--adapter", required = true, paramLabel = "FILE[:SCALE]", converter = AdapterArgument.Converter.class,
            description = "an adapter file and its scale (default 1); repeat to stack several")
    List<AdapterArgument> adapters;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "the merged checkpoint to write")
    Path output;

    @Option(names = "--dtype", paramLabel = "fp32|fp16|bf16", converter = DtypeConverter.class,
            description = "dtype of the result's floating-point tensors (default: each keeps the base's)")
    DType dtype;

    @Override
    public Integer call() throws Exception {
        Errors.readableFile(base, "base checkpoint");
        List<WeightedAdapter> weighted = new ArrayList<>();
        for (AdapterArgument a : adapters) {
            weighted.add(new WeightedAdapter(AdapterFile.read(Errors.readableFile(a.file(), "adapter file")), a.scale()));
        }
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        MergeReport report = Merger.merge(base, weighted, output, dtype);
        spec.commandLine().getOut().print(MergeOutput.text(report));
        return 0;
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
