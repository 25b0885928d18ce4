package dev.lycoris4j.bench;

import dev.lycoris4j.core.nn.AdaptableLayer;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.nn.Module;
import org.bytedeco.pytorch.Tensor;

import java.util.HashMap;
import java.util.Map;

/**
 * Counts the matmul-class FLOPs of a forward pass (2 per multiply-add): every Linear and Conv, found
 * by installing a counting forward on each layer, plus the two attention products q·kᵀ and p·v,
 * whose sizes are read from each attention's to_q and to_k inputs. Norms and activations (a few
 * percent) are not counted.
 */
final class FlopCounter {
    private long flops;
    private final Map<Module, long[]> queryShape = new HashMap<>();

    static FlopCounter install(Module model) {
        FlopCounter c = new FlopCounter();
        for (var e : model.namedModules().entrySet()) {
            if (!(e.getValue() instanceof AdaptableLayer layer)) continue;
            String path = e.getKey();
            Module attention = path.endsWith(".to_q") || path.endsWith(".to_k")
                    ? model.find(path.substring(0, path.lastIndexOf('.'))) : null;
            boolean isQuery = path.endsWith(".to_q");
            layer.setForwardOverride((l, x) -> {
                Tensor y = l.baseForward(x);
                c.flops += layerFlops(l.spec(), x, y);
                if (attention != null) c.attention(attention, isQuery, x, y);
                return y;
            });
        }
        return c;
    }

    private static long layerFlops(LayerSpec spec, Tensor x, Tensor y) {
        return switch (spec) {
            case LayerSpec.Linear l -> 2 * y.numel() * l.in();
            case LayerSpec.Conv c -> 2 * y.numel() * (c.in() / c.groups()) * c.kernelArea();
            default -> 0;
        };
    }

    /** q·kᵀ and p·v: 2·b·n·m·inner each, for n queries and m keys of width inner (all heads). */
    private void attention(Module attention, boolean isQuery, Tensor x, Tensor y) {
        if (isQuery) {
            queryShape.put(attention, new long[] {y.size(0), y.numel() / y.size(0) / y.size(-1), y.size(-1)});
            return;
        }
        long[] q = queryShape.remove(attention);
        long keys = y.numel() / y.size(0) / y.size(-1);
        flops += 2 * (2 * q[0] * q[1] * keys * q[2]);
    }

    long take() {
        long f = flops;
        flops = 0;
        return f;
    }
}
