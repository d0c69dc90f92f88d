package loomproxy.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Values that {@code --check} used to accept but that broke at run time (an overflowing
 * {@link Duration#toNanos()}, long or int arithmetic): each is refused at load time, on one line
 * that names the file, the line, the key and the limit.
 */
class ConfigLimitsTest {
    private static final String SERVER = "server.m.listen = 1\nserver.m.proxy_pass = h:1";

    @TempDir
    Path dir;

    /** What the loader says about {@code lines} followed by a minimal server block, one string per line. */
    private List<String> output(String... lines) {
        return new ConfigFiles(dir).output(String.join("\n", lines), SERVER);
    }

    @Test
    void msecDurationsStopAtNginxsInt32OfMilliseconds() {
        String max = "it must be at most 24d20h31m23s647ms";
        assertEquals(List.of(
                "FILE:1: proxy_timeout: invalid value \"25d\", " + max,
                "FILE:2: proxy_connect_timeout: invalid value \"2147483648ms\", " + max,
                "FILE:3: proxy_next_upstream_timeout: invalid value \"24d20h31m23s648ms\", " + max,
                "FILE:4: shutdown_timeout: invalid value \"1000000000000000000s\", " + max,
                "FILE:5: server.m.proxy_timeout: invalid value \"106752d\", " + max),
                output("proxy_timeout = 25d", "proxy_connect_timeout = 2147483648ms",
                        "proxy_next_upstream_timeout = 24d20h31m23s648ms", "shutdown_timeout = 1000000000000000000s",
                        "server.m.proxy_timeout = 106752d"));
    }

    @Test
    void theLargestDurationLoadsAndConvertsToNanoseconds() throws Exception {
        ProxyConfig config = new ConfigFiles(dir).load("proxy_timeout = 24d20h31m23s647ms",
                "shutdown_timeout = 2147483647ms", SERVER);
        assertEquals(Integer.MAX_VALUE, config.servers().get(0).timeout().toMillis());
        assertEquals(Integer.MAX_VALUE * 1_000_000L, config.shutdownTimeout().toNanos());
    }

    @Test
    void failTimeoutStopsAtNginxsInt32OfSeconds() {
        assertEquals(List.of("FILE:1: upstream.b: invalid value \"2147483648\", it must be at most 24855d3h14m7s"
                        + " (in \"a:1 fail_timeout=2147483648\")"),
                output("upstream.b = a:1 fail_timeout=2147483648, c:2 fail_timeout=24855d3h14m7s"));
    }

    @Test
    void ratesStopWhereThePacingArithmeticStaysExact() throws Exception {
        assertEquals(List.of(
                "FILE:1: proxy_upload_rate: invalid value \"8589934593\", it must be at most 8g",
                "FILE:2: proxy_download_rate: invalid value \"9999999999999999999\", it must be at most 8g",
                "FILE:3: server.m.proxy_download_rate: invalid value \"8796093022208k\", it must be at most 8g"),
                output("proxy_upload_rate = 8589934593", "proxy_download_rate = 9999999999999999999",
                        "server.m.proxy_download_rate = 8796093022208k"));
        ServerConfig server = new ConfigFiles(dir).load("proxy_upload_rate = 8g", "proxy_download_rate = 8388608k",
                SERVER).servers().get(0);
        assertEquals(List.of(8L << 30, 8L << 30), List.of(server.uploadRate(), server.downloadRate()));
    }

    @Test
    void bufferSizeIsOneArrayOfAtMost64m() throws Exception {
        assertEquals(List.of(
                "FILE:1: proxy_buffer_size: invalid value \"65537k\", it must be at most 64m",
                "FILE:2: server.m.proxy_buffer_size: invalid value \"0\", it must be between 1 and 64m"),
                output("proxy_buffer_size = 65537k", "server.m.proxy_buffer_size = 0"));
        assertEquals(64 << 20, new ConfigFiles(dir).load("proxy_buffer_size = 64m", SERVER).servers().get(0).bufferSize());
    }

    @Test
    void numbersStopAtTheLargestInt() {
        String max = "it must be at most 2147483647";
        assertEquals(List.of(
                "FILE:1: proxy_next_upstream_tries: invalid number \"2147483648\", " + max,
                "FILE:2: proxy_ssl_verify_depth: invalid number \"99999999999999999999999\", " + max,
                "FILE:3: upstream.b: invalid number \"2147483648\", " + max + " (in \"a:1 weight=2147483648\")",
                "FILE:4: upstream.c: invalid number \"4294967296\", " + max + " (in \"a:1 max_fails=4294967296\")",
                "FILE:5: upstream.d: invalid number \"2147483648\", " + max + " (in \"a:1 max_conns=2147483648\")",
                "FILE:6: server.n.listen: invalid number \"2147483648\", " + max + " (in \"2 backlog=2147483648\")"),
                output("proxy_next_upstream_tries = 2147483648", "proxy_ssl_verify_depth = 99999999999999999999999",
                        "upstream.b = a:1 weight=2147483648", "upstream.c = a:1 max_fails=4294967296",
                        "upstream.d = a:1 max_conns=2147483648", "server.n.listen = 2 backlog=2147483648",
                        "server.n.proxy_pass = h:1"));
    }

    /** {@code --check /dev/zero}, or a log file given by mistake: an error, not an OutOfMemoryError. */
    @Test
    void aFileLargerThan16mIsNotReadWhole() throws Exception {
        Path file = validFileOf((16 << 20) + 1);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file + ": cannot read the configuration file: it is larger than 16m;"
                + " is it the configuration file?", e.getMessage());
        assertEquals("m", ConfigLoader.load(validFileOf(16 << 20)).servers().get(0).name());
    }

    /** The minimal server block, then comment lines up to {@code size} bytes. */
    private Path validFileOf(int size) throws IOException {
        byte[] text = new byte[size];
        Arrays.fill(text, (byte) '#');
        byte[] server = (SERVER + "\n").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(server, 0, text, 0, server.length);
        for (int i = server.length + 1023; i < size; i += 1024) {
            text[i] = '\n';
        }
        return Files.write(dir.resolve("padded.properties"), text);
    }
}
