package loomproxy.observe;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
    /** The file, or null for a standard stream (which is never closed or reopened). */
    private final Path file;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}: {@link #reopen} replaces it. */
    private OutputStream out;
    private boolean closed;
    /** What the failure lines call this log: its file, or the stream's name. */
    private final String name;
    /** Guarded by {@link #lock}: lines lost since writing last failed (0: writing works). */
    private long lost;

    private LogSink(OutputStream out, Path file, String name) {
        this.out = out;
        this.file = file;
        this.name = name;
    }

    /** @param name what a failure line calls it ("stdout", "stderr") */
    public static LogSink of(PrintStream stream, String name) {
        return new LogSink(stream, null, name);
    }

    /** Opens FILE for appending, creating it; the caller reports the IOException against the directive. */
    public static LogSink append(Path file) throws IOException {
        return new LogSink(open(file), file, file.toString());
    }

    /**
     * What opening FILE for appending would meet, found without creating it: {@code --check} must
     * leave nothing behind (as root it would leave a file the service's user cannot open).
     *
     * @throws IOException as opening would: AccessDeniedException, NoSuchFileException (the
     *                     directory), FileSystemException "Is a directory"
     */
    public static void checkAppendable(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new FileSystemException(file.toString(), null, "Is a directory");
        }
        if (Files.exists(file)) {
            if (!Files.isWritable(file)) {
                throw new AccessDeniedException(file.toString());
            }
            return;
        }
        Path directory = file.toAbsolutePath().getParent();
        if (directory == null || !Files.isDirectory(directory)) {
            throw new NoSuchFileException(String.valueOf(directory));
        }
        if (!Files.isWritable(directory)) {
            throw new AccessDeniedException(directory.toString());
        }
    }

    private static OutputStream open(Path file) throws IOException {
        return Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    public void line(String text) {
        byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
        lock.lock();
        try {
            out.write(bytes);
            out.flush();
            // A PrintStream (stdout, stderr) swallows its errors and only remembers them.
            if (out instanceof PrintStream stream && stream.checkError()) {
                throw new IOException("the stream reports an error (a closed pipe?)");
            }
            if (lost > 0) {
                System.err.println("loomproxy: writing to " + name + " works again; " + lost + " log lines were lost");
                lost = 0;
            }
        } catch (IOException e) {
            // A log that cannot be written must not take sessions down with it; stderr is the last
            // resort, once per failing spell rather than once per line (a full disk would flood it).
            if (lost++ == 0) {
                System.err.println("loomproxy: cannot write log lines to " + name + ": " + e.getMessage()
                        + "; lines are lost until it works again (free space, or fix the file)");
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Opens the file again at its path and writes there from now on: SIGUSR1, logrotate's convention
     * (after logrotate renames the file, the open stream still writes to the renamed one). The new
     * stream is swapped in under the line lock, so no line is split or lost between the two. When the
     * file cannot be opened, the old stream stays in use and the exception says so. A standard stream
     * is left alone.
     */
    public void reopen() throws IOException {
        if (file == null) {
            return;
        }
        OutputStream fresh;
        try {
            fresh = open(file); // outside the lock: opening may be slow, and writers need not wait for it
        } catch (IOException e) {
            throw new IOException("cannot reopen " + file + " (" + reason(e) + "), writing on to the file that was"
                    + " open: check that the directory exists and is writable", e);
        }
        OutputStream old;
        lock.lock();
        try {
            if (closed) {
                old = fresh;
            } else {
                old = out;
                out = fresh;
            }
        } finally {
            lock.unlock();
        }
        old.close(); // no writer can reach it any more: each takes the stream under the lock
    }

    /** The OS's reason, as NGINX prints strerror(): the JDK's message for these is only the path. */
    private static String reason(IOException e) {
        return switch (e) {
            case NoSuchFileException n -> "No such file or directory";
            case AccessDeniedException a -> "Permission denied";
            case FileSystemException f when f.getReason() != null -> f.getReason();
            default -> String.valueOf(e.getMessage());
        };
    }

    @Override
    public void close() throws IOException {
        if (file == null) {
            return;
        }
        lock.lock();
        try {
            closed = true;
            out.close();
        } finally {
            lock.unlock();
        }
    }
}
