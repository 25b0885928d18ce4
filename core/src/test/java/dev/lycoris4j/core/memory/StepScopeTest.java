package dev.lycoris4j.core.memory;

import dev.lycoris4j.core.nn.Linear;
import dev.lycoris4j.core.nn.NoGrad;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StepScopeTest {

    @Test
    void freesTemporariesAndLeavesOutsideTensorsAlone() {
        Tensor outside = torch.ones(4);
        Tensor temporary;
        Tensor kept;
        try (var step = new StepScope()) {
            temporary = outside.mul(new Scalar(2.0));
            kept = StepScope.keep(outside.add(new Scalar(1.0)));
            try (var noGrad = new NoGrad()) {
                outside.add_(new Scalar(0.5)); // in place: the storage belongs to the outside tensor
            }
        }
        assertThat(temporary.isNull()).as("temporary freed").isTrue();
        assertThat(kept.isNull()).isFalse();
        assertThat(kept.referenceCount()).as("only its own Java object holds it").isEqualTo(1);
        assertThat(Tensors.toFloats(kept)).containsOnly(2f);
        assertThat(Tensors.toFloats(outside)).containsOnly(1.5f);
        kept.close();
        assertThat(kept.isNull()).isTrue();
        outside.close();
    }

    @Test
    void keepReachesThroughNestedScopes() {
        Tensor inner;
        Tensor loose;
        try (var outer = new StepScope()) {
            try (var step = new StepScope()) {
                inner = StepScope.keep(torch.full(new long[] {2}, new Scalar(3.0)));
                loose = torch.zeros(2);
            }
            assertThat(loose.isNull()).as("freed by the inner scope").isTrue();
            assertThat(inner.isNull()).isFalse();
        }
        assertThat(Tensors.toFloats(inner)).containsOnly(3f);
        inner.close();
    }

    @Test
    void handOverMovesAResultToTheEnclosingScope() {
        Tensor handed;
        Tensor temporary;
        Tensor loose;
        try (var outer = new StepScope()) {
            try (var sub = new StepScope()) {
                temporary = torch.ones(2);
                handed = sub.handOver(temporary.add(new Scalar(1.0)));
            }
            assertThat(temporary.isNull()).as("freed with the inner scope").isTrue();
            assertThat(Tensors.toFloats(handed)).containsOnly(2f);
            assertThat(handed.referenceCount()).as("held by the outer scope alone").isEqualTo(1);
        }
        assertThat(handed.isNull()).as("freed with the outer scope").isTrue();
        try (var alone = new StepScope()) {
            loose = alone.handOver(torch.zeros(2));
        }
        assertThat(loose.isNull()).as("with no enclosing scope its own Java object owns it").isFalse();
        assertThat(loose.referenceCount()).isEqualTo(1);
        loose.close();
        assertThat(loose.isNull()).isTrue();
    }

    @Test
    void pointersWithoutDeallocatorAreLeftAlone() {
        try (var step = new StepScope()) {
            Pointer borrowed = new Pointer(); // no deallocator: no scope holds it
            assertThat(StepScope.keep(borrowed)).isSameAs(borrowed);
            assertThat(borrowed.referenceCount()).isEqualTo(-1);
        }
    }

    @Test
    void modulesBuiltOrMovedInsideAStepSurviveIt() {
        Linear built;
        Linear moved = new Linear(3, 2, true);
        try (var step = new StepScope()) {
            built = new Linear(3, 2, true);
            moved.to(DType.F64);
        }
        try (var step = new StepScope()) {
            Tensor x = torch.ones(1, 3);
            assertThat(Tensors.shape(built.forward(x))).containsExactly(1, 2);
            assertThat(Tensors.dtype(moved.weight())).isEqualTo(DType.F64);
            assertThat(Tensors.toDoubles(moved.forward(x.to(DType.F64.scalarType())))).hasSize(2);
        }
        assertThat(built.weight().isNull()).isFalse();
        assertThat(moved.bias().isNull()).isFalse();
    }
}
