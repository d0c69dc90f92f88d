package loomproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --demo} as a user runs it: it proves itself, then echoes what is typed through mutual TLS. */
class DemoTest {
    @TempDir
    Path dir;

    /** The commands the demo prints are run as printed, with bash (and python3 where it is installed). */
    @Test
    void demoProvesTheWholePathAndThePrintedCommandsWork() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CountDownLatch stop = new CountDownLatch(1);
        AtomicInteger exit = new AtomicInteger(-1);
        Thread demo = Thread.ofVirtual().start(() -> exit.set(Main.run(new String[] {"--demo"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                stop, (onTerminate, onOther) -> Set.of())));
        Pattern tryIt = Pattern.compile("/dev/tcp/127\\.0\\.0\\.1/(\\d+)");
        Wait.until(() -> tryIt.matcher(out.toString(StandardCharsets.UTF_8)).find() || !demo.isAlive(),
                Duration.ofSeconds(60), () -> "demo printed: " + out + err);
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("session reuse works"), text + err);
        assertFalse(text.contains("telnet"), text);
        assertFalse(err.toString(StandardCharsets.UTF_8).contains("[warn]"), "a first run greets nobody with warnings: " + err);
        Matcher m = tryIt.matcher(text);
        assertTrue(m.find(), text + err);
        try (Socket user = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(m.group(1)))) {
            user.setSoTimeout(20_000);
            Bytes.write(user, "typed by a user\n");
            assertEquals("typed by a user\n", Bytes.readString(user, 16));
        }
        for (String command : text.lines().filter(l -> l.contains("/dev/tcp/") || l.contains("python3 -c")).toList()) {
            assertEquals("hello\n", shell(command.strip()), command);
        }
        stop.countDown();
        demo.join(Duration.ofSeconds(30));
        assertEquals(0, exit.get(), out + "\n" + err);
    }

    @Test
    void mentionsNcAndPython3OnlyWhereInstalled() throws IOException {
        Path bare = Files.createDirectories(dir.resolve("bare"));
        String without = Demo.tryIt(4242, bare.toString());
        assertTrue(without.contains("exec 3<>/dev/tcp/127.0.0.1/4242; echo hello >&3; head -1 <&3"), without);
        assertFalse(without.contains("nc ") || without.contains("python3"), without);

        Path tools = Files.createDirectories(dir.resolve("tools"));
        for (String name : List.of("nc", "python3")) {
            Files.writeString(tools.resolve(name), "#!/bin/sh\n");
            Files.setPosixFilePermissions(tools.resolve(name), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        String with = Demo.tryIt(4242, bare + ":" + tools);
        assertTrue(with.contains("\n  nc 127.0.0.1 4242"), with);
        assertTrue(with.contains("python3 -c"), with);
    }

    private String shell(String command) throws IOException, InterruptedException {
        Path output = dir.resolve("command.out");
        Process process = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("still running after 30 s: " + command + "\n" + Files.readString(output));
        }
        return Files.readString(output);
    }
}
