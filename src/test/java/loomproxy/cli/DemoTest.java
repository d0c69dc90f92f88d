package loomproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.Test;

/** {@code --demo} as a user runs it: it proves itself, then echoes what is typed through mutual TLS. */
class DemoTest {
    @Test
    void demoProvesTheWholePathAndEchoesForTheUser() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CountDownLatch stop = new CountDownLatch(1);
        AtomicInteger exit = new AtomicInteger(-1);
        Thread demo = Thread.ofVirtual().start(() -> exit.set(Main.run(new String[] {"--demo"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                stop, (onTerminate, onOther) -> { })));
        Pattern tryIt = Pattern.compile("nc 127\\.0\\.0\\.1 (\\d+)");
        Wait.until(() -> tryIt.matcher(out.toString(StandardCharsets.UTF_8)).find() || !demo.isAlive(),
                Duration.ofSeconds(60), () -> "demo printed: " + out + err);
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("session reuse works"), text + err);
        Matcher m = tryIt.matcher(text);
        assertTrue(m.find(), text + err);
        try (Socket user = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(m.group(1)))) {
            user.setSoTimeout(20_000);
            Bytes.write(user, "typed by a user\n");
            assertEquals("typed by a user\n", Bytes.readString(user, 16));
        }
        stop.countDown();
        demo.join(Duration.ofSeconds(30));
        assertEquals(0, exit.get(), out + "\n" + err);
    }
}
