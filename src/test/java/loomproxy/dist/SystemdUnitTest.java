package loomproxy.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import loomproxy.config.ConfigLoader;
import loomproxy.testkit.Command;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * systemd/loomproxy.service and loomproxy@.service as systemd reads them: `systemd-analyze verify`
 * on copies whose ExecStart is this tree's launcher (the units name /opt/loomproxy, which is not
 * here), and `systemd-analyze security --offline=true`, which must rate both at most 2.0. Skipped
 * where systemd-analyze is missing (Debian: apt-get install systemd; .ci/run installs it).
 */
class SystemdUnitTest {
    private static final Path UNITS = Path.of("systemd");
    private static final String INSTALLED_LAUNCHER = "/opt/loomproxy/bin/loomproxy";
    private static final Pattern EXPOSURE = Pattern.compile("Overall exposure level for (\\S+): (\\d+\\.\\d)");

    @TempDir
    Path dir;

    @Test
    void bothUnitsVerify() throws Exception {
        Path analyze = analyze();
        copyUnits();
        Command.Result r = Command.run(dir, Duration.ofSeconds(120),
                List.of(analyze.toString(), "verify", "./loomproxy.service", "./loomproxy@test.service"));
        // verify also loads the units ours name (network-online.target, ...): a warning of the
        // machine's own units is not ours to fail on
        List<String> ours = r.output().lines().filter(l -> l.contains("loomproxy")).toList();
        assertEquals(List.of(), ours, r.output());
        assertEquals(0, r.code(), r.output());
    }

    @Test
    void bothUnitsAreRatedAtMost2() throws Exception {
        Path analyze = analyze();
        copyUnits();
        for (String unit : List.of("loomproxy.service", "loomproxy@test.service")) {
            Command.Result r = Command.run(dir, Duration.ofSeconds(120),
                    List.of(analyze.toString(), "security", "--offline=true", "./" + unit));
            Matcher m = EXPOSURE.matcher(r.output());
            assertTrue(m.find(), r.output());
            double exposure = Double.parseDouble(m.group(2));
            System.out.println(unit + ": exposure " + exposure);
            assertTrue(exposure <= 2.0, unit + " rated " + exposure + ":\n" + r.output());
        }
    }

    @Test
    void theTemplateHasTheSameSandbox() throws Exception {
        assertEquals(sandbox("loomproxy.service"), sandbox("loomproxy@.service"));
    }

    /** systemd's stop timeout must outlast the drain (shutdown_timeout) and the 5 s for log lines after it. */
    @Test
    void stopTimeoutOutlastsTheDefaultDrain() throws Exception {
        Path config = Files.writeString(dir.resolve("x.properties"),
                "server.main.listen = 127.0.0.1:0\nserver.main.proxy_pass = 127.0.0.1:9\n");
        Duration drain = ConfigLoader.load(config).shutdownTimeout().plusSeconds(5);
        for (String unit : List.of("loomproxy.service", "loomproxy@.service")) {
            Matcher m = Pattern.compile("(?m)^TimeoutStopSec=(\\d+)$").matcher(Files.readString(UNITS.resolve(unit)));
            assertTrue(m.find(), unit);
            assertTrue(Duration.ofSeconds(Long.parseLong(m.group(1))).compareTo(drain) > 0, unit + ": " + m.group());
        }
    }

    private static Path analyze() {
        var found = Command.onPath("systemd-analyze");
        Assumptions.assumeTrue(found.isPresent(), "systemd-analyze is not installed (Debian: apt-get install systemd)");
        return found.get();
    }

    /** The units, with ExecStart on this tree's bin/loomproxy (verify checks that it is executable). */
    private void copyUnits() throws Exception {
        String launcher = Path.of("bin/loomproxy").toAbsolutePath().toString();
        for (String unit : List.of("loomproxy.service", "loomproxy@.service")) {
            String text = Files.readString(UNITS.resolve(unit));
            assertTrue(text.contains("ExecStart=" + INSTALLED_LAUNCHER + " "), unit);
            Files.writeString(dir.resolve(unit), text.replace(INSTALLED_LAUNCHER, launcher));
        }
    }

    private static String sandbox(String unit) throws Exception {
        String text = Files.readString(UNITS.resolve(unit));
        return text.substring(text.indexOf("# Sandbox."));
    }
}
