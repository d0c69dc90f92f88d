package loomproxy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the openssl CLI in a test directory, so keys and certificates are made the way users make them. */
public final class OpenSsl {
    private static final String OPENSSL = "/usr/bin/openssl";

    private OpenSsl() {}

    /** Runs {@code openssl args...} in {@code dir}; fails the test with openssl's output if it fails. */
    public static String run(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of(OPENSSL));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "openssl did not finish: " + command);
            assertEquals(0, process.exitValue(), () -> String.join(" ", command) + " failed:\n" + output);
            return output;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + OPENSSL, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running openssl", e);
        }
    }

    /** A new EC key (PKCS#8, unencrypted) on {@code curve}, e.g. P-256. */
    public static Path ecKey(Path dir, String name, String curve) {
        run(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:" + curve, "-out", name);
        return dir.resolve(name);
    }

    /** A self-signed certificate for {@code key}, valid for one day. */
    public static Path selfSigned(Path dir, String key, String name, String commonName) {
        run(dir, "req", "-x509", "-new", "-key", key, "-subj", "/CN=" + commonName, "-days", "1", "-out", name);
        return dir.resolve(name);
    }
}
