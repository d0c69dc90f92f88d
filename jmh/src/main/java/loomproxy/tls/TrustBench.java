package loomproxy.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import loomproxy.tls.trust.UpstreamTrust;
import loomproxy.tls.trust.VerificationException;
import java.util.stream.Stream;
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
 * The upstream trust check in isolation: {@link UpstreamTrust#verify} on a leaf + one intermediate
 * chain to a root (EC P-256, made with the openssl CLI at setup), depth 1, no CRLs, name "localhost":
 * path building, the JDK's PKIX validation, the serverAuth purpose and the name match.
 *
 * <p>The same certificate objects are verified every time. So are they in real handshakes: JSSE
 * parses the server's chain through CertificateFactory, which returns cached objects for known
 * encodings, and an X509CertImpl remembers the key it last verified with — the ECDSA signature checks
 * are then skipped. The figure is the check as a steady stream of sessions to one upstream sees it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgs = {"-XX:+UseSerialGC", "-Xmn8m", "-Djdk.pollerMode=1", "-Xmx1g"})
@State(Scope.Benchmark)
public class TrustBench {
    private UpstreamTrust trust;
    private X509Certificate anchor;
    private X509Certificate[] chain;

    @Setup(Level.Trial)
    public void start() throws Exception {
        Path dir = Files.createTempDirectory("loomproxy-jmh-trust-");
        try {
            OpensslChain.write(dir);
            anchor = read(dir.resolve(OpensslChain.ROOT));
            chain = new X509Certificate[] {read(dir.resolve(OpensslChain.LEAF)), read(dir.resolve(OpensslChain.INTERMEDIATE))};
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        trust = new UpstreamTrust(List.of(anchor), "a certificate in proxy_ssl_trusted_certificate", List.of(), 1,
                InstantSource.system());
        trust.verify(chain, "localhost"); // a chain that fails would measure the failure path
    }

    @Benchmark
    public X509Certificate[] verifyOneIntermediate() throws VerificationException {
        trust.verify(chain, "localhost");
        return chain;
    }

    private static X509Certificate read(Path pem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
