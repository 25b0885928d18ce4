package dev.lycoris4j.adapters.golden;

import dev.lycoris4j.adapters.modules.DeltaAdapter;
import dev.lycoris4j.adapters.modules.LoConAdapter;

import java.util.stream.Stream;

/** Golden cases of LoRA (Linear) and LoCon (conv 1×1, k×k, strided, Tucker, rs-LoRA, scalar, alpha 0). */
class LoraCasesTest extends DeltaCasesTest {
    static Stream<GoldenCase> cases() {
        return GoldenCase.withAlgorithm("lora", "locon");
    }

    @Override Class<? extends DeltaAdapter> expectedType() { return LoConAdapter.class; }
}
