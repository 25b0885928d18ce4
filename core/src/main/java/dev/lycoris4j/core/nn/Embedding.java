package dev.lycoris4j.core.nn;

import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** {@code torch.nn.Embedding}: a (num, dim) table initialised N(0, 1); forward looks rows up by id. */
public class Embedding extends Module {
    private final long num;
    private final long dim;

    public Embedding(long num, long dim, Placement placement) {
        this.num = Init.positive("Embedding num_embeddings", num);
        this.dim = Init.positive("Embedding embedding_dim", dim);
        Tensor w = placement.empty(num, dim);
        w.normal_(0, 1, new GeneratorOptional());
        parameter("weight", Init.trainable(w));
    }

    public Embedding(long num, long dim) {
        this(num, dim, Placement.cpu());
    }

    public Tensor weight() { return tensor("weight"); }

    public long numEmbeddings() { return num; }

    public long embeddingDim() { return dim; }

    /** Rows of the table for integer {@code ids} of any shape: output shape is ids' shape + [dim]. */
    public Tensor forward(Tensor ids) {
        if (ids.is_floating_point()) {
            throw new IllegalArgumentException("Embedding ids must be integers, got " + Tensors.dtype(ids));
        }
        return torch.embedding(weight(), ids);
    }
}
