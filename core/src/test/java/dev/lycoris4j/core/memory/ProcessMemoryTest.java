package dev.lycoris4j.core.memory;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProcessMemoryTest {

    @Test
    void parsesKilobyteLines() {
        String status = "Name:\tjava\nVmPeak:\t  999 kB\nVmRSS:\t    2048 kB\nRssAnon:\t 100 kB\n";
        assertThat(ProcessMemory.parseKb(status, "VmRSS", "status")).isEqualTo(2048L * 1024);
        assertThat(ProcessMemory.parseKb(status, "RssAnon", "status")).isEqualTo(100L * 1024);
    }

    @Test
    void malformedStatusNamesTheSourceAndLine() {
        assertThatThrownBy(() -> ProcessMemory.parseKb("VmRSS:\t12 MB\n", "VmRSS", "/proc/x/status"))
                .hasMessageContaining("/proc/x/status").hasMessageContaining("VmRSS:\t12 MB");
        assertThatThrownBy(() -> ProcessMemory.parseKb("Name:\tjava\n", "VmRSS", "/proc/x/status"))
                .hasMessageContaining("/proc/x/status: no VmRSS line");
    }

    @Test
    void agreesWithJavaCppsNativeMeasure() {
        // JavaCPP reads /proc/self/statm natively and reports resident minus shared pages, which is the
        // anonymous part: an independent reading of the same quantity, taken moments apart.
        long anonymous = ProcessMemory.anonymousBytes();
        long javacpp = Pointer.physicalBytes();
        long resident = ProcessMemory.residentBytes();
        assertThat(anonymous).isGreaterThan(16L << 20);
        assertThat(resident).isGreaterThanOrEqualTo(anonymous);
        assertThat((double) Math.abs(anonymous - javacpp)).isLessThan(16.0 * (1 << 20));
    }
}
