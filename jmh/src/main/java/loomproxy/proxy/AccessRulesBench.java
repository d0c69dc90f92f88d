package loomproxy.proxy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import loomproxy.config.AccessRules;
import loomproxy.config.ConfigException;
import loomproxy.config.ConfigLoader;
import loomproxy.config.ServerConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The accept thread's per-connection check (SPEC §9) with 1,000 {@code allow}/{@code deny} lines,
 * read from a properties file as a user writes them: 999 {@code deny} lines, then
 * {@code allow = 127.0.0.0/8, ::1}. {@code list=ipv4}: the 999 are IPv4 addresses and /24 blocks, so
 * an IPv4 client is compared with all 1,000 (the worst case: no rule before the last matches it);
 * {@code list=mixed}: a third are IPv6 /48 blocks, which an IPv4 client is never compared with (one
 * list per family, as NGINX keeps them). {@code check} is {@code AccessRules.allows} alone;
 * {@code admit} is all a connection costs before its thread starts: {@code limit_conn},
 * {@code limit_conn_per_addr} (an entry made and given back) and the rules.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgs = {"-XX:+UseSerialGC", "-Xmn8m", "-Djdk.pollerMode=1", "-Xmx1g"})
@State(Scope.Benchmark)
public class AccessRulesBench {
    static final int RULES = 1000;

    /** 127.0.0.1 or ::1: only the last rule matches either. */
    @Param({"v4", "v6"})
    public String client;

    @Param({"ipv4", "mixed"})
    public String list;

    private ServerConfig config;
    private AccessRules rules;
    private InetAddress address;
    private Limits limits;

    @Setup(Level.Trial)
    public void start() throws IOException, ConfigException {
        Path dir = Files.createTempDirectory("loomproxy-access-bench");
        Path file = dir.resolve("bench.properties");
        StringBuilder properties = new StringBuilder("""
                server.main.listen = 127.0.0.1:12345
                server.main.proxy_pass = 127.0.0.1:443
                server.main.limit_conn = 60000
                server.main.limit_conn_per_addr = 100
                """);
        for (int i = 0; i < RULES - 1; i++) {
            properties.append(switch (list.equals("ipv4") ? i % 2 : i % 3) {
                case 0 -> "server.main.deny = 10." + (i >> 8 & 0xff) + "." + (i & 0xff) + ".1\n";
                case 1 -> "server.main.deny = 172." + (16 + i % 16) + "." + (i & 0xff) + ".0/24\n";
                default -> "server.main.deny = 2001:db8:" + Integer.toHexString(i) + "::/48\n";
            });
        }
        properties.append("server.main.allow = 127.0.0.0/8, ::1\n");
        Files.writeString(file, properties);
        config = ConfigLoader.load(file).servers().getFirst();
        Files.delete(file);
        Files.delete(dir);
        rules = config.access();
        if (rules.rules().size() != RULES) {
            throw new IllegalStateException(rules.rules().size() + " rules, not " + RULES);
        }
        address = InetAddress.getByName(client.equals("v4") ? "127.0.0.1" : "::1");
        if (!rules.allows(address)) {
            throw new IllegalStateException(address + " should be allowed");
        }
        limits = new Limits();
    }

    @Benchmark
    public boolean check() {
        return rules.allows(address);
    }

    @Benchmark
    public boolean admit() {
        Admission admission = limits.admit(config, address);
        admission.release();
        return admission.admitted();
    }
}
