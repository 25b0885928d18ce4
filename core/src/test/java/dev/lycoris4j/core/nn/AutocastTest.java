package dev.lycoris4j.core.nn;

import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The autocast scope on the CPU: what runs in low precision inside, and the state restored after. */
class AutocastTest {

    private static Linear linear() {
        Linear l = new Linear(3, 2, true);
        l.loadStateDict(Map.of(
                "weight", Tensors.fromFloats(new float[] {0.1f, -0.7f, 1.3f, 2.9f, 0.33f, -1.1f}, 2, 3),
                "bias", Tensors.fromFloats(new float[] {0.25f, -0.5f}, 2)), true);
        return l;
    }

    private static Tensor input() {
        return Tensors.fromFloats(new float[] {1.7f, -0.3f, 0.77f, 0.05f, 3.1f, -2.2f}, 2, 3);
    }

    @Test
    void aLinearOnFp32TensorsRunsInBf16InsideAndFp32After() {
        try (var scope = new PointerScope()) {
            Linear l = linear();
            Tensor x = input();
            Tensor y;
            try (Autocast ignored = Autocast.enable("cpu", DType.BF16)) {
                assertThat(Autocast.isEnabled("cpu")).isTrue();
                y = l.forward(x);
            }
            assertThat(Tensors.dtype(y)).isEqualTo(DType.BF16);
            // Autocast casts the inputs, weight and bias to bf16 and runs the op there: the same as doing so by hand.
            Tensor byHand = new LayerSpec.Linear(3, 2).apply(Tensors.to(x, DType.BF16), Tensors.to(l.weight(), DType.BF16),
                    Tensors.to(l.bias(), DType.BF16));
            assertThat(Tensors.toFloats(y)).containsExactly(Tensors.toFloats(byHand));
            assertThat(Autocast.isEnabled("cpu")).isFalse();
            assertThat(Tensors.dtype(l.forward(x))).isEqualTo(DType.F32);
        }
    }

    @Test
    void nestedScopesRestoreTheStateEachFound() {
        try (var scope = new PointerScope()) {
            Linear l = linear();
            Tensor x = input();
            DType before = Autocast.dtype("cpu");
            try (Autocast outer = Autocast.enable("cpu", DType.BF16)) {
                // The trainable weight's bf16 copy is cached now; the fp16 scope must not be handed it, nor the
                // outer scope the fp16 copy afterwards.
                assertThat(Tensors.dtype(l.forward(x))).isEqualTo(DType.BF16);
                try (Autocast inner = Autocast.enable("cpu", DType.F16)) {
                    assertThat(Tensors.dtype(l.forward(x))).isEqualTo(DType.F16);
                }
                assertThat(Tensors.dtype(l.forward(x))).isEqualTo(DType.BF16);
                try (Autocast fp32 = Autocast.disable("cpu")) {
                    assertThat(Autocast.isEnabled("cpu")).isFalse();
                    assertThat(Tensors.dtype(l.forward(x))).isEqualTo(DType.F32);
                }
                assertThat(Autocast.isEnabled("cpu")).isTrue();
                assertThat(Autocast.dtype("cpu")).isEqualTo(DType.BF16);
                assertThat(Tensors.dtype(l.forward(x))).isEqualTo(DType.BF16);
            }
            assertThat(Autocast.isEnabled("cpu")).isFalse();
            assertThat(Autocast.dtype("cpu")).isEqualTo(before);
        }
    }

    @Test
    void fp32WeightsGetFp32GradientsAndAnUpdateBetweenScopesIsSeen() {
        try (var scope = new PointerScope()) {
            Linear l = linear();
            l.weight().requires_grad_(true);
            Tensor x = input();
            Tensor first;
            try (Autocast ignored = Autocast.enable("cpu", DType.BF16)) {
                first = l.forward(x);
            }
            first.to(DType.F32.scalarType()).sum().backward();
            assertThat(Tensors.dtype(l.weight().grad())).isEqualTo(DType.F32);
            // d(sum y)/dW[o, i] = Σ_rows x[row, i], the same for both outputs, computed in bf16 by the backward matmul
            float[] g = Tensors.toFloats(l.weight().grad());
            assertThat(g[0]).isEqualTo(g[3]).isNotZero();

            // The cast copy of the trainable weight is cached while autocast is on; closing the outermost scope
            // drops it, so the next scope sees a weight changed in between (as after an optimizer step).
            try (NoGrad ignored = new NoGrad()) {
                l.weight().mul_(new Scalar(2.0));
            }
            Tensor second;
            try (Autocast ignored = Autocast.enable("cpu", DType.BF16)) {
                second = l.forward(x);
            }
            Tensor expected = new LayerSpec.Linear(3, 2).apply(Tensors.to(x, DType.BF16),
                    Tensors.to(l.weight().detach(), DType.BF16), Tensors.to(l.bias(), DType.BF16));
            assertThat(Tensors.toFloats(second)).containsExactly(Tensors.toFloats(expected));
        }
    }

    @Test
    void onlyHalfDtypesAreAutocastDtypes() {
        assertThatThrownBy(() -> Autocast.enable("cpu", DType.F32)).hasMessageContaining("fp16 or bf16");
        assertThat(Autocast.isEnabled("cpu")).isFalse();
    }
}
