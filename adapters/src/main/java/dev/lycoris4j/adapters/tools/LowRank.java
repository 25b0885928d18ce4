package dev.lycoris4j.adapters.tools;

import dev.lycoris4j.adapters.functional.Lora;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.StringViewOptional;
import org.bytedeco.pytorch.T_TensorTensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Weight changes written as LoRA/LoCon factors by truncated SVD: keeping the r largest singular values gives
 * the best rank-r approximation in the Frobenius norm (Eckart–Young), whose error is √(Σ_{i>r} σᵢ²). A conv
 * weight (out, in, k…) is flattened to (out, in·k…) first, as the reference's extractor does.
 */
public final class LowRank {
    private LowRank() {}

    /** The thin SVD of a change flattened to (out, in·k…): {@code u} (out, n), {@code s} (n) descending, {@code vh} (n, in·k…). */
    public record Svd(Tensor u, Tensor s, Tensor vh) {
        public static Svd of(Tensor delta) {
            Tensor matrix = delta.reshape(delta.size(0), -1).to(DType.F32.scalarType());
            T_TensorTensorTensor_T usv = torch.linalg_svd(matrix, false, new StringViewOptional());
            return new Svd(usv.get0(), usv.get1(), usv.get2());
        }

        public double[] singularValues() {
            return Tensors.toDoubles(s);
        }
    }

    /**
     * LoRA/LoCon factors with scale 1 ({@code alpha} = rank): {@code ΔW = up·down}, or with a Tucker core
     * {@code ΔW[o,i,k…] = Σ up[o,a]·mid[a,b,k…]·down[b,i]}.
     *
     * @param mid null without Tucker
     */
    public record Factors(Tensor up, Tensor down, Tensor mid) {
        public long rank() {
            return down.size(0);
        }

        /** The change these factors stand for, shaped {@code weightShape} (the adapters' own LoRA math). */
        public Tensor deltaWeight(long[] weightShape) {
            return Lora.deltaWeight(up, down, mid, 1.0, weightShape);
        }

        public Factors to(DType dtype) {
            return new Factors(Tensors.to(up, dtype), Tensors.to(down, dtype), mid == null ? null : Tensors.to(mid, dtype));
        }

        /** The module's tensors in LoCon's state-dict order, {@code alpha} = rank with shape [1] as the extractor writes it. */
        public Map<String, Tensor> stateDict() {
            Map<String, Tensor> sd = new LinkedHashMap<>();
            sd.put("alpha", Tensors.to(Tensors.fromDoubles(new double[] {rank()}, 1), Tensors.dtype(up)));
            sd.put("lora_up.weight", up);
            sd.put("lora_down.weight", down);
            if (mid != null) sd.put("lora_mid.weight", mid);
            return sd;
        }
    }

    /**
     * Rank-{@code rank} truncation: {@code up = U_r·diag(σ_r)} (out, r, 1…), {@code down = V_rᵀ} (r, in, k…).
     *
     * @param weightShape the layer weight's shape, (out, in[, k…])
     */
    public static Factors truncate(Svd svd, long[] weightShape, int rank) {
        if (rank < 1 || rank > svd.s().size(0)) {
            throw new IllegalArgumentException("rank " + rank + " is outside [1, " + svd.s().size(0) + "]");
        }
        Tensor up = svd.u().narrow(1, 0, rank).mul(svd.s().narrow(0, 0, rank));
        Tensor down = svd.vh().narrow(0, 0, rank);
        long[] kernelOnes = new long[weightShape.length - 2];
        Arrays.fill(kernelOnes, 1);
        return new Factors(up.reshape(concat(new long[] {weightShape[0], rank}, kernelOnes)).contiguous(),
                down.reshape(concat(new long[] {rank}, Arrays.copyOfRange(weightShape, 1, weightShape.length))).contiguous(),
                null);
    }

    /**
     * The reference's Tucker split of a k×k conv's {@code down} (r, in, k…) (spec §5.1): a second rank-r SVD of
     * its (in, r·k…) unfolding gives {@code down} (r, in, 1…) and the core {@code mid} (r, r, k…). That unfolding
     * may have rank above r, so the split can add error; the extractor reports the final error.
     */
    public static Factors tucker(Factors plain) {
        if (plain.mid() != null) throw new IllegalArgumentException("the factors already have a Tucker core");
        Tensor down = plain.down();
        long r = down.size(0);
        long in = down.size(1);
        long[] kernel = Arrays.copyOfRange(Tensors.shape(down), 2, (int) down.dim());
        long[] kernelOnes = new long[kernel.length];
        Arrays.fill(kernelOnes, 1);
        // unfolding[i, (a, k…)] = down[a, i, k…]
        Tensor unfolding = down.transpose(0, 1).reshape(in, -1);
        if (in < r) throw new IllegalArgumentException("a Tucker split needs rank " + r + " ≤ in " + in);
        Svd svd = Svd.of(unfolding);
        int rank = (int) r;
        // unfolding ≈ P·Q with P = U·diag(σ) (in, r) and Q = Vᴴ (r, r·k…): down[a, i, k…] ≈ Σ_b P[i, b]·Q[b, (a, k…)],
        // which LoCon's Tucker form reads as down'[b, i] = P[i, b] and mid[a, b, k…] = Q[b, a, k…].
        Tensor p = svd.u().narrow(1, 0, rank).mul(svd.s().narrow(0, 0, rank));
        Tensor q = svd.vh().narrow(0, 0, rank);
        Tensor newDown = p.t().reshape(concat(new long[] {rank, in}, kernelOnes)).contiguous();
        Tensor mid = q.reshape(concat(new long[] {r, r}, kernel)).transpose(0, 1).contiguous();
        return new Factors(plain.up(), newDown, mid);
    }

    /** ‖a − b‖_F in fp64. */
    static double distance(Tensor a, Tensor b) {
        return a.to(torch.ScalarType.Double).sub(b.to(torch.ScalarType.Double)).norm().item_double();
    }

    /** ‖a‖_F in fp64. */
    static double norm(Tensor a) {
        return a.to(torch.ScalarType.Double).norm().item_double();
    }

    static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
