package dev.lycoris4j.eval.image;

/** How 0..255 samples become floats in [0, 1]; the two references round differently in the last bit. */
public enum PixelScaling {
    /** torchvision ToTensor: {@code uint8 -> float32, then / 255} in float32. */
    TORCHVISION {
        @Override
        public float toUnit(int sample) {
            return sample / 255f;
        }
    },
    /** HF image processors' rescale: {@code uint8 * (1/255)} in float64, then cast to float32. */
    HF_RESCALE {
        @Override
        public float toUnit(int sample) {
            return (float) (sample * (1.0 / 255.0));
        }
    };

    public abstract float toUnit(int sample);
}
