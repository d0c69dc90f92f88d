package loomproxy.metrics;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The standard {@code process_*} and {@code jvm_*} families (prometheus.io, "Writing exporters":
 * process metrics; the names client_java's collectors use), read from the JDK's MXBeans and, for
 * the resident set, {@code /proc/self/status}. A figure the platform does not give has no sample.
 */
final class ProcessMetrics {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMetrics() {}

    static void write(Exposition out) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        out.family("process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.");
        if (os instanceof com.sun.management.OperatingSystemMXBean sun && sun.getProcessCpuTime() >= 0) {
            out.sample("process_cpu_seconds_total", sun.getProcessCpuTime() / 1e9);
        }
        out.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
        residentBytes().ifPresent(b -> out.sample("process_resident_memory_bytes", b));
        var unix = os instanceof com.sun.management.UnixOperatingSystemMXBean u ? u : null;
        out.family("process_open_fds", "gauge", "Number of open file descriptors.");
        if (unix != null) {
            out.sample("process_open_fds", unix.getOpenFileDescriptorCount());
        }
        out.family("process_max_fds", "gauge", "Maximum number of open file descriptors.");
        if (unix != null) {
            out.sample("process_max_fds", unix.getMaxFileDescriptorCount());
        }
        out.family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.");
        out.sample("process_start_time_seconds", ManagementFactory.getRuntimeMXBean().getStartTime() / 1000.0);
        out.family("jvm_threads_current", "gauge", "Current thread count of the JVM (platform threads; virtual threads are not counted).");
        out.sample("jvm_threads_current", ManagementFactory.getThreadMXBean().getThreadCount());
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        out.family("jvm_memory_used_bytes", "gauge", "Used bytes of a given JVM memory area.");
        out.sample("jvm_memory_used_bytes", memory.getHeapMemoryUsage().getUsed(), "area", "heap");
        out.sample("jvm_memory_used_bytes", memory.getNonHeapMemoryUsage().getUsed(), "area", "nonheap");
    }

    /** VmRSS from /proc/self/status (Linux), in bytes. */
    static OptionalLong residentBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    String[] words = line.substring(6).strip().split("\\s+");
                    return OptionalLong.of(Long.parseLong(words[0]) * 1024);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no procfs: no sample
        }
        return OptionalLong.empty();
    }
}
