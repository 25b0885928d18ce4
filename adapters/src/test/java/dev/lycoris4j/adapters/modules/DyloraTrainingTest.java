package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static dev.lycoris4j.adapters.modules.Fixtures.linear;
import static dev.lycoris4j.adapters.modules.Fixtures.randn;
import static org.assertj.core.api.Assertions.assertThat;

/** DyLoRA while training: each call uses blocks 0…t for a drawn t, and only block t receives gradients. */
class DyloraTrainingTest {

    @Test
    void onlyTheDrawnBlockLearns() {
        torch.manual_seed(31);
        LayerSpec layer = linear(6, 5);
        int rank = 6, bs = 2;
        Set<Integer> drawn = new HashSet<>();
        for (int call = 0; call < 12; call++) {
            Tensor up = randn(5, rank);
            Tensor down = randn(rank, 6);
            up.requires_grad_(true);
            down.requires_grad_(true);
            Map<String, Tensor> t = new LinkedHashMap<>();
            t.put("alpha", Tensors.scalar(3));
            t.put("lora_up.weight", up);
            t.put("lora_down.weight", down);
            DyloraAdapter a = DyloraAdapter.fromLoraTensors("m", layer, t, bs);
            a.setTraining(true);
            Tensor w = randn(5, 6);
            a.mergedWeights(w, null, 1.0).weight().sum().backward();
            double[] g = Tensors.toDoubles(down.grad().abs().sum(1));
            int live = -1;
            for (int blk = 0; blk < rank / bs; blk++) {
                boolean nonzero = g[blk * bs] > 0 || g[blk * bs + 1] > 0;
                if (nonzero) {
                    assertThat(live).as("only one block has gradients").isEqualTo(-1);
                    live = blk;
                }
            }
            assertThat(live).as("some block learns").isGreaterThanOrEqualTo(0);
            drawn.add(live);
        }
        assertThat(drawn.size()).as("draws vary between calls").isGreaterThan(1);
    }

    @Test
    void outsideTrainingTheFullRankIsUsedEveryTime() {
        torch.manual_seed(32);
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("alpha", Tensors.scalar(4));
        t.put("lora_up.weight", randn(5, 8));
        t.put("lora_down.weight", randn(8, 6));
        DyloraAdapter a = DyloraAdapter.fromLoraTensors("m", linear(6, 5), t, 2);
        Tensor w = randn(5, 6);
        Tensor first = a.mergedWeights(w, null, 1.0).weight();
        for (int i = 0; i < 5; i++) assertThat(torch.equal(a.mergedWeights(w, null, 1.0).weight(), first)).isTrue();
        // Full rank: all 8 rank rows at scale alpha/(count+1) = 4/5.
        Tensor expected = t.get("lora_up.weight").matmul(t.get("lora_down.weight")).mul(new org.bytedeco.pytorch.Scalar(0.8));
        assertThat(Tensors.maxAbsDiff(first.sub(w), expected)).isLessThan(1e-5);
    }
}
