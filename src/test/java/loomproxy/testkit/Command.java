package loomproxy.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Another program run to its end, for the tests of what ships beside the jar (units, YAML, scripts). */
public final class Command {
    private Command() {
    }

    /** What it printed (stdout and stderr together) and how it exited. */
    public record Result(int code, String output) {}

    /** The program NAME as a shell would find it on PATH. */
    public static Optional<Path> onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    public static Result run(Path dir, Duration limit, List<String> command) throws IOException, InterruptedException {
        return run(dir, limit, Map.of(), command);
    }

    /** Runs COMMAND in DIR with ENV added to this process's environment; fails the test after LIMIT. */
    public static Result run(Path dir, Duration limit, Map<String, String> env, List<String> command)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Path output = Files.createTempFile("command-", ".out");
        try {
            Process p = builder.redirectOutput(output.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError(command + " still running after " + limit.toSeconds() + " s: "
                        + new String(Files.readAllBytes(output), StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), new String(Files.readAllBytes(output), StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
