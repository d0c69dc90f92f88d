import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A plain TCP echo server for jmh/compare.sh: every byte read is written back on the same
 * connection until EOF. JDK only, run with the source launcher:
 *
 * <pre>  java jmh/load/EchoServer.java [--bind 127.0.0.1] [--port 0] [--buffer 65536]</pre>
 *
 * One virtual thread per connection with blocking sockets: the JDK parks the thread on its poller
 * while a read waits, so a thousand idle connections cost a few KiB each, and a busy one is a
 * read()/write() pair per buffer (64 KiB, so a 64 KiB client write is echoed in one write).
 * It prints "echo listening ADDRESS:PORT" once bound, and its counters when stopped (SIGTERM).
 */
public final class EchoServer {
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong echoed = new AtomicLong();
    private final int bufferSize;

    private EchoServer(int bufferSize) {
        this.bufferSize = bufferSize;
    }

    public static void main(String[] args) throws IOException {
        String bind = "127.0.0.1";
        int port = 0;
        int buffer = 65536;
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : usage("missing value after " + args[i]);
            switch (args[i]) {
                case "--bind" -> bind = value;
                case "--port" -> port = Integer.parseInt(value);
                case "--buffer" -> buffer = Integer.parseInt(value);
                default -> usage("unknown option " + args[i]);
            }
        }
        new EchoServer(buffer).serve(new InetSocketAddress(InetAddress.getByName(bind), port));
    }

    private static String usage(String problem) {
        System.err.println("EchoServer: " + problem + "; usage: EchoServer [--bind ADDRESS] [--port N] [--buffer BYTES]");
        System.exit(2);
        return problem;
    }

    private void serve(InetSocketAddress address) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        // A deep backlog: the connection-rate runs open hundreds of connections per second.
        server.bind(address, 4096);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println(
                "echo stopped: connections=" + accepted.get() + " failed=" + failed.get() + " echoed_bytes=" + echoed.get())));
        System.out.println("echo listening " + address.getAddress().getHostAddress() + ":" + server.getLocalPort());
        System.out.flush();
        while (true) {
            Socket socket = server.accept();
            accepted.incrementAndGet();
            Thread.ofVirtual().name("echo", accepted.get()).start(() -> echo(socket));
        }
    }

    private void echo(Socket socket) {
        long bytes = 0;
        try (socket) {
            socket.setTcpNoDelay(true); // the 64-byte ping-pong must not wait for Nagle
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[bufferSize];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                bytes += n;
            }
        } catch (IOException e) {
            // A proxy may reset a connection it is done with; counted, not fatal to the server.
            failed.incrementAndGet();
        } finally {
            echoed.addAndGet(bytes);
        }
    }
}
