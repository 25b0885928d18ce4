package dev.lycoris4j.eval.metrics;

import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.util.List;

/**
 * LyCORIS-evaluation's {@code VggGram.encode} after the network: for each captured feature map F
 * [n, C, H, W], F' = F.view(n, C, HW) / sqrt(C·H·W), Gram = F'F'ᵀ [n, C, C]; the Grams are flattened
 * row-major and concatenated along the feature axis, giving [n, ΣC²] (610,304 values for VGG19's
 * conv1_1..conv5_1). The same libtorch ops as the reference, in the maps' dtype.
 */
public final class GramFeatures {
    private GramFeatures() {}

    public static Tensor encode(List<Tensor> featureMaps) {
        if (featureMaps.isEmpty()) throw new IllegalArgumentException("no feature maps to encode");
        long batch = Tensors.shape(featureMaps.get(0))[0];
        Tensor[] grams = new Tensor[featureMaps.size()];
        try {
            for (int i = 0; i < grams.length; i++) {
                long[] s = Tensors.shape(featureMaps.get(i));
                if (s.length != 4 || s[0] != batch) {
                    throw new IllegalArgumentException("feature map " + i + " has shape " + Tensors.shapeString(s)
                            + "; expected [" + batch + ", C, H, W] like map 0");
                }
                try (Scalar norm = new Scalar(Math.sqrt((double) (s[1] * s[2] * s[3])));
                     Tensor flat = featureMaps.get(i).reshape(s[0], s[1], s[2] * s[3]);
                     Tensor scaled = flat.div(norm);
                     Tensor scaledT = scaled.transpose(1, 2);
                     Tensor gram = torch.bmm(scaled, scaledT)) {
                    grams[i] = gram.reshape(s[0], s[1] * s[1]);
                }
            }
            try (TensorVector parts = new TensorVector(grams)) {
                return torch.cat(parts, 1);
            }
        } finally {
            for (Tensor g : grams) {
                if (g != null) g.close();
            }
        }
    }
}
