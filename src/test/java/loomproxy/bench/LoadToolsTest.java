package loomproxy.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The performance figures in the README come from jmh/compare.sh and jmh/floor.sh, which compile
 * and run jmh/load's Java tools: they must keep compiling, keep working end to end, and the scripts
 * must keep parsing, or the next person to measure finds them broken. (Speed is not asserted.)
 */
class LoadToolsTest {
    private static final Path LOAD = Path.of("jmh", "load");
    private final List<Process> started = new ArrayList<>();

    @TempDir
    Path classes;

    @AfterEach
    void stop() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void aLatencyRunThroughTheThreadProxyReportsRoundTripsAndNoErrors() throws Exception {
        compileLoadTools();
        int echo = startAndReadPort(Pattern.compile("echo listening [0-9.]+:(\\d+)"), "EchoServer", "--port", "0");
        int proxy = startAndReadPort(Pattern.compile("thread proxy listening (\\d+)"),
                "ThreadProxy", "--port", "0", "--target", String.valueOf(echo), "--threads", "virtual");

        Process client = java("LoadClient", "latency", "--target", "127.0.0.1:" + proxy, "--size", "64",
                "--warmup", "0", "--duration", "0.5");
        String output = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(client.waitFor(60, TimeUnit.SECONDS), "LoadClient did not finish");

        assertEquals(0, client.exitValue(), output);
        Matcher result = Pattern.compile("result mode=latency size=64 round_trips=(\\d+) .*p50_us=[0-9.]+ .*errors=0").matcher(output);
        assertTrue(result.find(), output);
        assertTrue(Long.parseLong(result.group(1)) > 0, output);
    }

    @Test
    void theBenchmarkScriptsParseAndPrintTheirHelp() throws Exception {
        List<Path> scripts = new ArrayList<>(List.of(Path.of("jmh", "compare.sh"), Path.of("jmh", "floor.sh"), Path.of("jmh", "run")));
        try (Stream<Path> sourced = Files.list(LOAD)) {
            sourced.filter(p -> p.toString().endsWith(".sh")).forEach(scripts::add);
        }
        for (Path script : scripts) {
            assertEquals("", run("bash", "-n", script.toString()), "bash -n " + script);
        }
        for (String script : List.of("jmh/compare.sh", "jmh/floor.sh")) {
            String help = run("bash", script, "--help");
            assertTrue(help.contains("Options:"), script + " --help printed: " + help);
        }
    }

    private void compileLoadTools() throws IOException {
        List<String> args = new ArrayList<>(List.of("-d", classes.toString()));
        try (Stream<Path> sources = Files.list(LOAD)) {
            sources.filter(p -> p.toString().endsWith(".java")).map(Path::toString).forEach(args::add);
        }
        int status = ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(String[]::new));
        assertEquals(0, status, "javac " + args);
    }

    private Process java(String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", classes.toString(), mainClass));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        started.add(process);
        return process;
    }

    /** Starts a tool and waits for the line that names its port. */
    private int startAndReadPort(Pattern listening, String mainClass, String... args) throws IOException {
        Process process = java(mainClass, args);
        BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = lines.readLine()) != null; ) {
            Matcher m = listening.matcher(line);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError(mainClass + " exited before listening: " + seen);
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + output);
        return output;
    }
}
