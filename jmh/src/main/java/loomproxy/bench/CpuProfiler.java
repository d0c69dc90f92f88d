package loomproxy.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * <li>{@code cpu.cores} — CPU time over wall time: how many of the machine's cores were busy;
 * <li>{@code cpu.kernel} — the share of that CPU time spent in the kernel (system time from
 *     /proc/self/stat; Linux only, 10 ms ticks): for the proxy mostly loopback TCP and epoll.
 * </ul>
 */
public final class CpuProfiler implements InternalProfiler {
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long cpuBefore;
    private long wallBefore;
    private long[] ticksBefore;

    @Override
    public String getDescription() {
        return "Process CPU time per operation (all threads of the benchmark JVM)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        wallBefore = System.nanoTime();
        cpuBefore = os.getProcessCpuTime();
        ticksBefore = userAndSystemTicks();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        long cpu = os.getProcessCpuTime() - cpuBefore;
        long wall = System.nanoTime() - wallBefore;
        long ops = result.getMetadata().getAllOps();
        List<Result> results = new ArrayList<>();
        results.add(new ScalarResult("cpu", ops == 0 ? Double.NaN : (double) cpu / ops, "ns/op", AggregationPolicy.AVG));
        results.add(new ScalarResult("cpu.cores", wall == 0 ? Double.NaN : (double) cpu / wall, "cores", AggregationPolicy.AVG));
        long[] ticks = userAndSystemTicks();
        if (ticks != null && ticksBefore != null) {
            long user = ticks[0] - ticksBefore[0];
            long system = ticks[1] - ticksBefore[1];
            double share = user + system == 0 ? Double.NaN : (double) system / (user + system);
            results.add(new ScalarResult("cpu.kernel", share, "fraction", AggregationPolicy.AVG));
        }
        return results;
    }

    /** utime and stime of this process (proc(5): fields 14 and 15), or null off Linux. */
    private static long[] userAndSystemTicks() {
        Path stat = Path.of("/proc/self/stat");
        if (!Files.isReadable(stat)) {
            return null;
        }
        try {
            String text = Files.readString(stat);
            // The command name (field 2) is in parentheses and may hold spaces: count from after it.
            String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12])};
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read CPU ticks from /proc/self/stat: " + e, e);
        }
    }
}
