package dev.lycoris4j.eval.encoders;

import dev.lycoris4j.core.nn.ConvNd;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.Placement;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * torchvision VGG's {@code features} (names {@code features.<index>.weight/bias}) cut after the
 * first conv of the fifth stage (index 28 in VGG19, LyCORIS-evaluation's {@code features[:29]}),
 * returning the maps of the first conv of each stage (conv1_1, conv2_1, conv3_1, conv4_1, conv5_1).
 *
 * <p>The layer at each index follows from which indices hold conv weights: a conv, the ReLU right
 * after it, and a 2×2 max-pool at any other index (torchvision's layout without batch norm).
 */
public final class VggFeatures extends Module {
    private static final int STAGES = 5;

    private final Map<Integer, ConvNd> convs;
    private final int last;
    private final List<Integer> captured;

    /** @param convChannels out channels by layer index, with the in channels given by the previous conv */
    VggFeatures(TreeMap<Integer, long[]> convChannels, Placement p) {
        Sequential features = register("features", new Sequential());
        convs = new TreeMap<>();
        captured = new ArrayList<>();
        int index = 0;
        boolean stageStart = true;
        int lastIndex = -1;
        while (captured.size() < STAGES) {
            long[] io = convChannels.get(index);
            if (io != null) {
                convs.put(index, features.put(index, new ConvNd(2, io[0], io[1], 3, 1, 1, true, p)));
                if (stageStart) captured.add(index);
                stageStart = false;
                lastIndex = index;
                index += 2; // conv, then its ReLU
            } else if (index > 0 && convChannels.containsKey(index - 2) && !stageStart) {
                stageStart = true; // a max-pool ends the stage
                index++;
            } else {
                throw new IllegalArgumentException("VGG features: expected a conv or a max-pool at index " + index
                        + " to reach conv" + (captured.size() + 1) + "_1; conv indices present: " + convChannels.keySet());
            }
        }
        last = lastIndex;
    }

    @Override public String typeName() { return "VGG"; }

    /** Layer indices whose outputs are captured (0, 5, 10, 19, 28 in VGG19). */
    public List<Integer> capturedIndices() {
        return List.copyOf(captured);
    }

    /**
     * The five captured maps, as the reference captures them: it keeps the conv's output tensor, which
     * torchvision's following in-place ReLU then overwrites, so the first four are post-ReLU; the last
     * kept layer is the conv5_1 itself, so that one is pre-ReLU (spec §1.8.5).
     */
    public List<Tensor> stageMaps(Tensor pixels) {
        List<Tensor> maps = new ArrayList<>(STAGES);
        Tensor x = pixels;
        int previousConv = -1;
        for (var e : convs.entrySet()) {
            int index = e.getKey();
            if (previousConv >= 0 && index > previousConv + 2) x = torch.max_pool2d(x, new long[] {2}, new long[] {2}, new long[] {0}, new long[] {1}, false);
            x = e.getValue().forward(x);
            boolean reluFollows = index < last;
            if (reluFollows) x = torch.relu(x);
            if (captured.contains(index)) maps.add(x);
            previousConv = index;
        }
        return maps;
    }

    /** The {@code features} Sequential: children named by their layer index. */
    static final class Sequential extends Module {
        <M extends Module> M put(int index, M module) {
            return register(Integer.toString(index), module);
        }

        @Override public String typeName() { return "Sequential"; }
    }
}
