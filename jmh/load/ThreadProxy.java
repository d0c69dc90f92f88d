import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The least a blocking JDK proxy can do, for jmh/floor.sh: accept, connect to the target, and copy
 * bytes both ways with one thread per direction, 2 KiB reads, TCP_NODELAY on both sockets. No TLS,
 * no timeouts, no logging. Run on platform threads or on virtual threads, it shows what the thread
 * kind alone costs per round trip, which is the part of loomproxy's latency that loomproxy's own
 * code cannot remove.
 *
 * <pre>  java jmh/load/ThreadProxy.java --port PORT --target PORT --threads platform|virtual</pre>
 *
 * It prints "thread proxy listening PORT" once bound (--port 0: a free port) and runs until killed.
 */
public final class ThreadProxy {
    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(option(args, "--port"));
        int target = Integer.parseInt(option(args, "--target"));
        Thread.Builder threads = switch (option(args, "--threads")) {
            case "platform" -> Thread.ofPlatform();
            case "virtual" -> Thread.ofVirtual();
            default -> throw new IllegalArgumentException("--threads platform|virtual");
        };
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(port, 1024, loopback)) {
            System.out.println("thread proxy listening " + server.getLocalPort());
            while (true) {
                Socket client = server.accept();
                threads.start(() -> session(client, loopback, target, threads));
            }
        }
    }

    private static void session(Socket client, InetAddress host, int target, Thread.Builder threads) {
        try (client; Socket upstream = new Socket(host, target)) {
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            Thread download = threads.start(() -> copy(upstream, client));
            copy(client, upstream);
            upstream.shutdownOutput();
            download.join();
        } catch (IOException | InterruptedException e) {
            // the client or the echo server went away: nothing to report in a benchmark fixture
        }
    }

    private static void copy(Socket from, Socket to) {
        byte[] buffer = new byte[2048];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // as above
        }
    }

    private static String option(String[] args, String name) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        throw new IllegalArgumentException("missing " + name);
    }
}
