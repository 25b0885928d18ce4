package dev.lycoris4j.adapters.golden;

import dev.lycoris4j.adapters.modules.DeltaAdapter;
import dev.lycoris4j.adapters.modules.LohaAdapter;

import java.util.stream.Stream;

/** Golden cases of LoHa (Linear, conv, Tucker conv). */
class LohaCasesTest extends DeltaCasesTest {
    static Stream<GoldenCase> cases() {
        return GoldenCase.withAlgorithm("loha");
    }

    @Override Class<? extends DeltaAdapter> expectedType() { return LohaAdapter.class; }
}
