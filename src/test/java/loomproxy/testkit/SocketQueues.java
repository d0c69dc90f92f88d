package loomproxy.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What the kernel holds for established TCP connections on loopback: the sum of every Recv-Q (bytes
 * received, not yet read by the application) and Send-Q (bytes written, not yet acknowledged) that
 * {@code ss -tn} (iproute2) shows for the connections on some ports. With it a test can tell the
 * bytes the kernel buffers from the bytes the processes at either end hold.
 */
public final class SocketQueues {
    private SocketQueues() {
    }

    /** Whether {@code ss} can be run here (Linux with iproute2). */
    public static boolean available() {
        return OpensslServer.onPath("ss");
    }

    /** Recv-Q plus Send-Q of every established connection with a local or peer port in {@code ports}. */
    public static long queued(Set<Integer> ports) throws IOException, InterruptedException {
        Process ss = new ProcessBuilder("ss", "-tnH", "state", "established").redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        if (!ss.waitFor(20, TimeUnit.SECONDS) || ss.exitValue() != 0) {
            throw new IOException("ss -tn failed: " + out);
        }
        long total = 0;
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && (ports.contains(port(f[2])) || ports.contains(port(f[3])))) {
                total += Long.parseLong(f[0]) + Long.parseLong(f[1]);
            }
        }
        return total;
    }

    private static int port(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }
}
