package loomproxy.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import loomproxy.testkit.Command;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * conf/kubernetes.yaml and conf/Dockerfile, as far as this machine can check them: no container
 * engine or cluster runs here, so nothing is built or applied. yamllint (Debian's, strict: warnings
 * fail too) where it is installed; .ci/run installs it.
 */
class ContainerFilesTest {
    private static final Path KUBERNETES = Path.of("conf/kubernetes.yaml");

    @TempDir
    Path dir;

    @Test
    void theKubernetesExampleIsCleanYaml() throws Exception {
        var yamllint = Command.onPath("yamllint");
        Assumptions.assumeTrue(yamllint.isPresent(), "yamllint is not installed (Debian: apt-get install yamllint)");
        Command.Result r = Command.run(dir, Duration.ofSeconds(60),
                List.of(yamllint.get().toString(), "--strict", KUBERNETES.toAbsolutePath().toString()));
        assertEquals(0, r.code(), r.output());
    }

    /** The pod's grace period must outlast the drain the configuration in it asks for, plus 5 s of log lines. */
    @Test
    void podsGetTimeToDrain() throws Exception {
        String yaml = Files.readString(KUBERNETES);
        int drain = seconds(yaml, "shutdown_timeout = (\\d+)s");
        assertTrue(seconds(yaml, "terminationGracePeriodSeconds: (\\d+)") > drain + 5, yaml);
        // liveness may not kill a draining pod, whose /healthz answers 503
        assertTrue(seconds(yaml, "(?s)livenessProbe:.*?periodSeconds: (\\d+)")
                * seconds(yaml, "(?s)livenessProbe:.*?failureThreshold: (\\d+)") > drain + 5, yaml);
        assertTrue(yaml.contains("path: /healthz"), yaml);
    }

    @Test
    void theImageRunsAsAUserThatIsNotRoot() throws Exception {
        String dockerfile = Files.readString(Path.of("conf/Dockerfile"));
        Matcher user = Pattern.compile("(?m)^USER (\\d+)").matcher(dockerfile);
        assertTrue(user.find() && !user.group(1).equals("0"), dockerfile);
        assertTrue(Files.readString(KUBERNETES).contains("runAsUser: " + user.group(1)), "the pod runs as the image's user");
        for (String copied : List.of("target/loomproxy.jar", "bin/loomproxy", "LICENSE")) {
            assertTrue(dockerfile.contains("COPY " + copied + " "), copied);
        }
    }

    private static int seconds(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex);
        return Integer.parseInt(m.group(1));
    }
}
