package loomproxy.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.SocketQueues;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.Test;

/**
 * The transport under an upstream SSLSocket counts only its own buffer as available and skips only
 * from it: JSSE's close skips input while available() is not 0, which against an upstream that kept
 * sending read and threw data away for as long as it sent (SSLSocketInputRecord.deplete).
 */
class BufferedTransportTest {
    @Test
    void onlyTheBufferIsAvailableOrSkippedWhateverTheKernelHolds() throws Exception {
        assumeTrue(SocketQueues.available(), "ss (iproute2) is not installed");
        byte[] sent = new byte[64 * 1024];
        new Random(3).nextBytes(sent);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             BufferedTransport transport = new BufferedTransport()) {
            transport.connect(server.getLocalSocketAddress());
            try (Socket peer = server.accept()) {
                peer.getOutputStream().write(sent);
                // every byte sits in the kernel, unread: what a socket's own available() would count
                Wait.until(() -> queued(server.getLocalPort()) == sent.length, Duration.ofSeconds(20),
                        () -> "queued: " + queued(server.getLocalPort()));
                InputStream in = transport.getInputStream();
                assertEquals(sent[0], (byte) in.read());
                int buffered = in.available();
                assertTrue(buffered > 0 && buffered < 2048, "available: " + buffered);
                assertEquals(0, in.skip(sent.length) - buffered, "skips only what is buffered");
                assertEquals(0, in.available());
                assertEquals(0, in.skip(sent.length), "nothing buffered: nothing skipped, nothing read");
                // reading still gets every byte after those, in order
                byte[] rest = Bytes.readExactly(in, sent.length - 1 - buffered);
                assertArrayEquals(Arrays.copyOfRange(sent, 1 + buffered, sent.length), rest);
            }
        }
    }

    private static long queued(int port) {
        try {
            return SocketQueues.queued(Set.of(port));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
