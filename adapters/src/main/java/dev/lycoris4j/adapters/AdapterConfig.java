package dev.lycoris4j.adapters;

/**
 * Hyper-parameters for creating a new adapter, named as LyCORIS names its constructor arguments.
 * Each algorithm reads the fields it knows; the rest are ignored, as the reference swallows them.
 *
 * @param dim            rank ({@code lora_dim}); OFT block count hint; ignored by Full/Norm/IA3
 * @param alpha          0 means "equal to dim", as in the reference
 * @param factor         LoKr factor, -1 for "as square as possible"
 * @param constraint     OFT/BOFT norm constraint, 0 for none
 * @param a1             DiffuseKronA factor dividing the output dimension
 * @param a2             DiffuseKronA factor dividing the input dimension
 */
public record AdapterConfig(
        Algorithm algorithm,
        int dim,
        double alpha,
        boolean useTucker,
        boolean useScalar,
        boolean rsLora,
        double dropout,
        double rankDropout,
        boolean rankDropoutScale,
        double moduleDropout,
        boolean weightDecompose,
        boolean wdOnOutput,
        int factor,
        boolean decomposeBoth,
        boolean fullMatrix,
        boolean unbalancedFactorization,
        int blockSize,
        double constraint,
        boolean rescaled,
        boolean trainOnInput,
        int a1,
        int a2) {

    /** The reference's defaults for {@code algorithm} at rank {@code dim} and {@code alpha}. */
    public static Builder builder(Algorithm algorithm, int dim, double alpha) {
        return new Builder(algorithm, dim, alpha);
    }

    public Builder toBuilder() {
        Builder b = new Builder(algorithm, dim, alpha);
        b.useTucker = useTucker;
        b.useScalar = useScalar;
        b.rsLora = rsLora;
        b.dropout = dropout;
        b.rankDropout = rankDropout;
        b.rankDropoutScale = rankDropoutScale;
        b.moduleDropout = moduleDropout;
        b.weightDecompose = weightDecompose;
        b.wdOnOutput = wdOnOutput;
        b.factor = factor;
        b.decomposeBoth = decomposeBoth;
        b.fullMatrix = fullMatrix;
        b.unbalancedFactorization = unbalancedFactorization;
        b.blockSize = blockSize;
        b.constraint = constraint;
        b.rescaled = rescaled;
        b.trainOnInput = trainOnInput;
        b.a1 = a1;
        b.a2 = a2;
        return b;
    }

    /** Mutable only while building; {@link #build()} gives the immutable record. */
    public static final class Builder {
        private final Algorithm algorithm;
        private int dim;
        private double alpha;
        private boolean useTucker;
        private boolean useScalar;
        private boolean rsLora;
        private double dropout;
        private double rankDropout;
        private boolean rankDropoutScale;
        private double moduleDropout;
        private boolean weightDecompose;
        private boolean wdOnOutput = true;
        private int factor = -1;
        private boolean decomposeBoth;
        private boolean fullMatrix;
        private boolean unbalancedFactorization;
        private int blockSize = 4;
        private double constraint;
        private boolean rescaled;
        private boolean trainOnInput;
        private int a1 = 4;
        private int a2 = 64;

        private Builder(Algorithm algorithm, int dim, double alpha) {
            this.algorithm = algorithm;
            this.dim = dim;
            this.alpha = alpha;
        }

        public Builder dim(int v) { dim = v; return this; }
        public Builder alpha(double v) { alpha = v; return this; }
        public Builder useTucker(boolean v) { useTucker = v; return this; }
        public Builder useScalar(boolean v) { useScalar = v; return this; }
        public Builder rsLora(boolean v) { rsLora = v; return this; }
        public Builder dropout(double v) { dropout = v; return this; }
        public Builder rankDropout(double v) { rankDropout = v; return this; }
        public Builder rankDropoutScale(boolean v) { rankDropoutScale = v; return this; }
        public Builder moduleDropout(double v) { moduleDropout = v; return this; }
        public Builder weightDecompose(boolean v) { weightDecompose = v; return this; }
        public Builder wdOnOutput(boolean v) { wdOnOutput = v; return this; }
        public Builder factor(int v) { factor = v; return this; }
        public Builder decomposeBoth(boolean v) { decomposeBoth = v; return this; }
        public Builder fullMatrix(boolean v) { fullMatrix = v; return this; }
        public Builder unbalancedFactorization(boolean v) { unbalancedFactorization = v; return this; }
        public Builder blockSize(int v) { blockSize = v; return this; }
        public Builder constraint(double v) { constraint = v; return this; }
        public Builder rescaled(boolean v) { rescaled = v; return this; }
        public Builder trainOnInput(boolean v) { trainOnInput = v; return this; }
        public Builder a1(int v) { a1 = v; return this; }
        public Builder a2(int v) { a2 = v; return this; }

        public AdapterConfig build() {
            return new AdapterConfig(algorithm, dim, alpha, useTucker, useScalar, rsLora, dropout, rankDropout,
                    rankDropoutScale, moduleDropout, weightDecompose, wdOnOutput, factor, decomposeBoth, fullMatrix,
                    unbalancedFactorization, blockSize, constraint, rescaled, trainOnInput, a1, a2);
        }
    }
}
