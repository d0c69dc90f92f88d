package loomproxy.bench;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time per operation, which rates alone hide: {@code -prof loomproxy.bench.CpuProfiler} (jmh/run
 * adds it). It reads the benchmark JVM's process CPU time (all threads: the benchmark's own, the
 * proxy's virtual and carrier threads, JIT and GC) around each iteration and divides by the
 * iteration's operations, as JMH's GC profiler does for allocation. The end-to-end benchmarks run
 * their upstream in a separate JVM, so for them this is the proxy plus the thin plain-TCP client.
 *
 * <ul>
 * <li>{@code cpu} — CPU nanoseconds per operation, all threads of the JVM;
 * <li>{@code cpu.cores} — CPU time over wall time: how many of the machine's cores were busy.
 * </ul>
 */
public final class CpuProfiler implements InternalProfiler {
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long cpuBefore;
    private long wallBefore;

    @Override
    public String getDescription() {
        return "Process CPU time per operation (all threads of the benchmark JVM)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        wallBefore = System.nanoTime();
        cpuBefore = os.getProcessCpuTime();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        long cpu = os.getProcessCpuTime() - cpuBefore;
        long wall = System.nanoTime() - wallBefore;
        long ops = result.getMetadata().getAllOps();
        return List.of(
                new ScalarResult("cpu", ops == 0 ? Double.NaN : (double) cpu / ops, "ns/op", AggregationPolicy.AVG),
                new ScalarResult("cpu.cores", wall == 0 ? Double.NaN : (double) cpu / wall, "cores", AggregationPolicy.AVG));
    }
}
