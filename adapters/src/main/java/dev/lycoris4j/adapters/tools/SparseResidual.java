package dev.lycoris4j.adapters.tools;

import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The extractor's optional sparse residual (spec §3, "extractor extras"): the entries of {@code D − up·down}
 * whose magnitude reaches the {@code sparsity} quantile of all magnitudes, in coordinate form —
 * {@code bias_indices} (I16, (2, nnz), row-major order), {@code bias_values} (F16) and {@code bias_size} (I16,
 * [out, in·k…]). Kept for compatibility with the reference's files; LyCORIS' loaders never read these keys.
 */
final class SparseResidual {
    private SparseResidual() {}

    static final String INDICES = "bias_indices";
    static final String VALUES = "bias_values";
    static final String SIZE = "bias_size";

    /**
     * @param residual the residual flattened to (out, in·k…)
     * @throws IllegalArgumentException when a side exceeds what the format's 16-bit indices can address
     */
    static Map<String, Tensor> of(Tensor residual, double sparsity) {
        long rows = residual.size(0);
        long cols = residual.size(1);
        if (rows > Short.MAX_VALUE || cols > Short.MAX_VALUE) {
            throw new IllegalArgumentException("the sparse residual's int16 indices cannot address a (" + rows + ", "
                    + cols + ") matrix");
        }
        Tensor magnitude = residual.abs();
        double threshold = quantile(magnitude, sparsity);
        // As the reference: entries below the quantile are zeroed, then every non-zero entry is kept.
        Tensor keep = magnitude.ge(new Scalar(threshold)).logical_and(residual.ne(new Scalar(0.0)));
        Tensor indices = torch.nonzero(keep).t().contiguous();
        Tensor values = residual.masked_select(keep); // row-major, the order of nonzero()'s indices
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put(INDICES, Tensors.to(indices, DType.I16));
        out.put(VALUES, Tensors.to(values, DType.F16));
        out.put(SIZE, Tensors.to(Tensors.fromLongs(new long[] {rows, cols}, 2), DType.I16));
        return out;
    }

    /**
     * The q-quantile of all elements with linear interpolation between order statistics (numpy's default, which
     * the reference uses), found by selection rather than {@code torch.quantile}, which refuses inputs above 16M
     * elements.
     */
    static double quantile(Tensor t, double q) {
        Tensor flat = t.reshape(-1);
        long n = flat.numel();
        double position = q * (n - 1);
        long below = (long) Math.floor(position);
        long above = Math.min(below + 1, n - 1);
        double low = torch.kthvalue(flat, below + 1).get0().item_double();
        double high = torch.kthvalue(flat, above + 1).get0().item_double();
        return low + (position - below) * (high - low);
    }
}
