package loomproxy.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A root CA, an intermediate CA and a server certificate for localhost, EC P-256, made with the
 * openssl CLI (RFC 5280 profile: CA basicConstraints and keyCertSign, leaf serverAuth and a SAN),
 * so the trust benchmark verifies a chain shaped like a real one, made by a tool other than ours.
 */
final class OpensslChain {
    static final String ROOT = "root.pem";
    static final String INTERMEDIATE = "intermediate.pem";
    static final String LEAF = "leaf.pem";

    private static final String CA_EXTENSIONS = """
            basicConstraints = critical, CA:TRUE
            keyUsage = critical, keyCertSign, cRLSign
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid
            """;
    private static final String LEAF_EXTENSIONS = """
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = serverAuth
            subjectAltName = DNS:localhost, IP:127.0.0.1
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid
            """;

    private final Path dir;

    private OpensslChain(Path dir) {
        this.dir = dir;
    }

    /** Writes ROOT, INTERMEDIATE and LEAF (and their keys) into {@code dir}. */
    static void write(Path dir) throws IOException, InterruptedException {
        new OpensslChain(dir).make();
    }

    private void make() throws IOException, InterruptedException {
        Files.writeString(dir.resolve("ca.ext"), CA_EXTENSIONS);
        Files.writeString(dir.resolve("leaf.ext"), LEAF_EXTENSIONS);
        run("req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "root.key", "-out", ROOT, "-subj", "/CN=loomproxy bench root", "-days", "2",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        issue("intermediate", "/CN=loomproxy bench intermediate", ROOT, "root.key", "ca.ext", INTERMEDIATE);
        issue("leaf", "/CN=localhost", INTERMEDIATE, "intermediate.key", "leaf.ext", LEAF);
    }

    private void issue(String name, String subject, String caCert, String caKey, String extensions, String out)
            throws IOException, InterruptedException {
        run("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", name + ".key", "-out", name + ".csr", "-subj", subject);
        run("x509", "-req", "-in", name + ".csr", "-CA", caCert, "-CAkey", caKey, "-days", "2",
                "-set_serial", Long.toString(ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE)),
                "-extfile", extensions, "-out", out);
    }

    private void run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("openssl " + String.join(" ", args) + " failed: " + output.strip());
        }
    }
}
