package loomproxy.tls;

import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * proxy_ssl_ciphers translation in isolation: the OpenSSL cipher string of the sample configuration
 * evaluated against the JDK's supported suites, passed as TlsSetup passes them (a list). It runs once
 * per server block at startup, not per session; measured to know it stays negligible.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgs = {"-XX:+UseSerialGC", "-Xmn8m", "-Djdk.pollerMode=1", "-Xmx1g"})
@State(Scope.Benchmark)
public class CipherBench {
    private List<String> available;

    @Setup(Level.Trial)
    public void start() throws NoSuchAlgorithmException {
        available = Arrays.asList(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
    }

    @Benchmark
    public List<String> highNoAnullNoMd5() throws TlsConfigException {
        return CipherStrings.select("HIGH:!aNULL:!MD5", available);
    }
}
