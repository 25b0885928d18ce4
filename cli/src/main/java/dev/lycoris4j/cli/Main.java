package dev.lycoris4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;

/**
 * {@code lycoris}: the command line over the lycoris4j API. Every failure ends in one line on stderr and a
 * non-zero exit: 1 for bad input (a missing or invalid file), 2 for a usage error.
 */
@Command(name = "lycoris", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "LyCORIS adapters for Stable Diffusion in Java: inspect adapter files, merge them into checkpoints.",
        usageHelpWidth = 100,
        subcommands = {DemoCommand.class, InspectCommand.class, MergeCommand.class, ExtractCommand.class, ConvertCommand.class, GenerateCommand.class, EstimateCommand.class, AnalyzeCommand.class, ScoreCommand.class, EvalCommand.class, DreamBenchCommand.class, TrainCommand.class, SweepCommand.class, CommandLine.HelpCommand.class},
        synopsisSubcommandLabel = "COMMAND",
        footerHeading = "%nExamples:%n",
        footer = {
                "  lycoris demo        (builds a small seeded example in out/demo, then inspects and merges it)",
                "  lycoris inspect my_lora.safetensors --json",
                "  lycoris merge --base model.safetensors --adapter my_lora.safetensors:0.8 -o merged.safetensors",
                "  lycoris extract --base base.safetensors --tuned tuned.safetensors -o d.safetensors --linear-dim 8",
                "  lycoris convert my_loha.safetensors -o my_lora.safetensors --to lora --dim 32",
                "  lycoris generate --model models/sd15 --prompt 'a photo of sks dog' --seed 7100 -o out.png",
                "%nExit codes: 0 success, 1 bad input (missing or invalid file), 2 usage error."})
public final class Main implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(args, out, err));
    }

    /** Runs one command line; returns the exit code. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, arguments) -> {
            String command = e.getCommandLine().getCommandName();
            String help = e.getCommandLine().getParent() == null ? "lycoris --help" : "lycoris " + command + " --help";
            err.println(Errors.PREFIX + e.getMessage() + " (see '" + help + "')");
            err.flush();
            return CommandLine.ExitCode.USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            err.println(Errors.PREFIX + Errors.describe(e));
            if (System.getenv("LYCORIS_DEBUG") != null) e.printStackTrace(err);
            err.flush();
            return Errors.BAD_INPUT;
        });
        int code = cli.execute(args);
        out.flush();
        return code;
    }
}
