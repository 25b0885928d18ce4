package dev.lycoris4j.train.sweep;

import dev.lycoris4j.core.safetensors.SafetensorsException;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.train.trainer.TrainState;
import dev.lycoris4j.train.trainer.Trainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Where a run stands, worked out from its folder alone, so that a sweep restarted after any interruption (Ctrl-C,
 * kill -9, power loss) knows what to do with it. The trainer writes its state atomically after every checkpoint file
 * and after the final adapter, so the state is never ahead of the files:
 * <ul>
 *   <li>FINISHED: the final adapter is there and the state is at its step (the adapter's {@code ss_steps}, which is
 *       its {@code ss_max_train_steps});</li>
 *   <li>INTERRUPTED: a state is there, but not at the final adapter's step: resume from it (files written after it
 *       are written again, the same, by the resumed run);</li>
 *   <li>NOT_STARTED: no state: never started, or stopped before its first checkpoint; whatever the folder holds is
 *       cleared before it trains (the trainer refuses a folder with a state, and stale files must not mix in).</li>
 * </ul>
 *
 * @param step     optimizer steps the state records (0 without a state)
 * @param conflict for a run with a state whose arguments differ from the sweep's: which ones, or null
 */
public record RunStatus(SweepConfig.Run run, State state, long step, String conflict) {

    public enum State { NOT_STARTED, INTERRUPTED, FINISHED }

    public static RunStatus of(SweepConfig.Run run) {
        Path stateFile = TrainState.file(run.dir());
        if (!Files.isRegularFile(stateFile)) return new RunStatus(run, State.NOT_STARTED, 0, null);
        long step = TrainState.readStep(stateFile);
        String conflict = conflict(TrainState.readArgs(stateFile), run.args());
        boolean finished = finalAdapterSteps(run.dir().resolve(Trainer.FINAL_ADAPTER)) == step;
        return new RunStatus(run, finished ? State.FINISHED : State.INTERRUPTED, step, conflict);
    }

    /** The steps of a complete final adapter, or -1 when there is none. */
    private static long finalAdapterSteps(Path adapter) {
        if (!Files.isRegularFile(adapter)) return -1;
        try (SafetensorsFile f = SafetensorsFile.open(adapter)) {
            String steps = f.metadata().get("ss_steps");
            return steps != null && steps.equals(f.metadata().get("ss_max_train_steps")) ? Long.parseLong(steps) : -1;
        } catch (SafetensorsException | NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The arguments that differ between a run's state and the sweep ({@code key: was → now}), or null. The output
     * folder does not count: a moved sweep folder is the same sweep, and a resumed run writes where it is.
     */
    static String conflict(Map<String, String> stored, Map<String, String> now) {
        List<String> changes = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>(stored.keySet());
        keys.addAll(now.keySet());
        keys.remove("output_dir");
        for (String key : keys) {
            String was = stored.get(key);
            String is = now.get(key);
            if (!Objects.equals(was, is)) changes.add(key + ": " + shown(was) + " → " + shown(is));
        }
        return changes.isEmpty() ? null : String.join("; ", changes);
    }

    private static String shown(String value) {
        return value == null ? "(not set)" : "'" + value.replace("\n", " ") + "'";
    }

    /** One line for a listing: {@code finished (120 steps)}. */
    public String describe() {
        String s = switch (state) {
            case NOT_STARTED -> "not started";
            case INTERRUPTED -> "interrupted at step " + step + ", resumes";
            case FINISHED -> "trained (" + step + " steps)";
        };
        return conflict == null ? s : s + "; CHANGED SETTINGS: " + conflict;
    }
}
