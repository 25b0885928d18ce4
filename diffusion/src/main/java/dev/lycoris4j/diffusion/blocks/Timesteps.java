package dev.lycoris4j.diffusion.blocks;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * diffusers' {@code get_timestep_embedding}: half = dim/2, f_k = exp(−ln(10000)·k/(half − shift)),
 * emb = [sin(t·f), cos(t·f)], swapped to [cos, sin] when {@code flipSinToCos}. Computed in fp32.
 */
public final class Timesteps {
    private Timesteps() {}

    public static Tensor embed(Tensor timesteps, int dim, boolean flipSinToCos, double freqShift) {
        int half = dim / 2;
        TensorOptions f32 = new TensorOptions(torch.ScalarType.Float).device(new org.bytedeco.pytorch.DeviceOptional(timesteps.device()));
        Tensor k = torch.arange(new Scalar(0), new Scalar(half), f32);
        Tensor freqs = k.mul(new Scalar(-Math.log(10000.0) / (half - freqShift))).exp();
        Tensor args = timesteps.to(torch.ScalarType.Float).unsqueeze(1).mul(freqs.unsqueeze(0));
        Tensor sin = args.sin();
        Tensor cos = args.cos();
        TensorVector parts = flipSinToCos ? new TensorVector(cos, sin) : new TensorVector(sin, cos);
        Tensor emb = torch.cat(parts, -1);
        if (dim % 2 == 1) emb = torch.constant_pad_nd(emb, 0, 1);
        return emb;
    }
}
