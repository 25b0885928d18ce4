package dev.lycoris4j.adapters.golden;

import dev.lycoris4j.adapters.modules.DeltaAdapter;
import dev.lycoris4j.adapters.modules.LokrAdapter;

import java.util.stream.Stream;

/** Golden cases of LoKr (factor, full w2, full matrix, decompose_both, unbalanced, conv, Tucker conv). */
class LokrCasesTest extends DeltaCasesTest {
    static Stream<GoldenCase> cases() {
        return GoldenCase.withAlgorithm("lokr");
    }

    @Override Class<? extends DeltaAdapter> expectedType() { return LokrAdapter.class; }
}
