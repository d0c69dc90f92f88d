package loomproxy.observe;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where log lines go: a standard stream or a file opened for appending. Each line is written and
 * flushed whole under a lock, so lines from concurrent sessions never interleave (NGINX's logs are
 * unbuffered by default too). A ReentrantLock, not synchronized, so a virtual thread writing a line
 * does not pin its carrier.
 */
public final class LogSink implements AutoCloseable {
    private final OutputStream out;
    private final boolean owned;
    private final ReentrantLock lock = new ReentrantLock();

    private LogSink(OutputStream out, boolean owned) {
        this.out = out;
        this.owned = owned;
    }

    public static LogSink of(PrintStream stream) {
        return new LogSink(stream, false);
    }

    /** Opens FILE for appending, creating it; the caller reports the IOException against the directive. */
    public static LogSink append(Path file) throws IOException {
        return new LogSink(Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE), true);
    }

    public void line(String text) {
        byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
        lock.lock();
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            // A log that cannot be written must not take sessions down with it; stderr is the last resort.
            System.err.println("loomproxy: cannot write log line: " + e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() throws IOException {
        if (owned) {
            out.close();
        }
    }
}
