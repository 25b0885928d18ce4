package dev.lycoris4j.diffusion.blocks;

import dev.lycoris4j.core.nn.ConvNd;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.core.tensor.DType;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Nearest-neighbour ×2 (or to a given size), then a 3×3 conv. */
public final class Upsample2D extends Module {
    private final ConvNd conv;

    public Upsample2D(long channels, Placement p) {
        conv = register("conv", new ConvNd(2, channels, channels, 3, 1, 1, true, p));
    }

    /** {@code size}: the target (h, w) when the skip connection is not exactly twice as large, else null. */
    public Tensor forward(Tensor x, long[] size) {
        // libtorch's nearest upsampling lacks bf16 kernels on some builds, as diffusers notes: go through fp32.
        boolean bf16 = x.scalar_type() == DType.BF16.scalarType();
        Tensor in = bf16 ? x.to(DType.F32.scalarType()) : x;
        // An explicit 2h×2w size picks the same nearest sources as scale_factor 2 (floor(dst/2)).
        long[] target = size != null ? size : new long[] {2 * x.size(2), 2 * x.size(3)};
        Tensor up = torch.upsample_nearest2d(in, target);
        return conv.forward(bf16 ? up.to(DType.BF16.scalarType()) : up);
    }
}
