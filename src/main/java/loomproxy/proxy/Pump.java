package loomproxy.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.locks.LockSupport;

/**
 * Copies one direction of a session, {@code from} to {@code to}, until EOF or an error. Named so a
 * thread dump reads like the design: "pump client>upstream #42". It never closes a socket (the
 * session owns them) and never decides how the session ends: it reports to {@link Ending}, after
 * its results are written, and the session takes it from there.
 */
final class Pump implements Runnable {
    enum End { EOF, ERROR }

    /** What a waiting pump holds: enough for a typical request or reply, small beside 16k. */
    static final int SMALL_BUFFER = 2048;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final Socket from;
    private final Socket to;
    private final int bufferSize;
    private final Activity activity;
    private final Ending ending;
    private final long rate;
    private Runnable onFirstBytes;
    private long bytes;
    private End end;
    private IOException failure;
    private volatile boolean failedOnWrite;
    /** True while blocked handing bytes to {@code to}: a pump stuck here at the idle timeout means {@code to} stalled. */
    private volatile boolean writing;

    /** Runs once when the first bytes have been read (used to return a TLS ticket slot). */
    Pump onFirstBytes(Runnable action) {
        this.onFirstBytes = action;
        return this;
    }

    /** @param rate bytes per second read from {@code from} (proxy_upload_rate/_download_rate), 0 = unlimited */
    Pump(Socket from, Socket to, int bufferSize, long rate, Activity activity, Ending ending) {
        this.rate = rate;
        this.from = from;
        this.to = to;
        this.bufferSize = bufferSize;
        this.activity = activity;
        this.ending = ending;
    }

    @Override
    public void run() {
        try {
            end = copy();
        } catch (IOException e) {
            failure = e;
            end = End.ERROR;
        } catch (RuntimeException | Error e) {
            // A bug of ours must still end the session rather than leave it waiting for this pump;
            // the session logs it as this direction's failure (no stack trace on stderr).
            failure = new IOException("internal error: " + e, e);
            end = End.ERROR;
        } finally {
            writing = false;
            ending.pumpEnded(this);
        }
    }

    /**
     * Idle sessions must not hold large buffers: a pump waits for data with a small buffer and takes
     * a proxy_buffer_size one only while data arrives faster than the small one holds (a read
     * filled it), giving it back when reads become short again.
     */
    private End copy() throws IOException {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        byte[] small = new byte[Math.min(SMALL_BUFFER, bufferSize)];
        byte[] large = null;
        long started = System.nanoTime();
        while (true) {
            byte[] buffer = large != null ? large : small;
            // With a rate, read at most a second's worth at a time so the pace stays even.
            int limit = rate > 0 ? (int) Math.max(1, Math.min(buffer.length, rate)) : buffer.length;
            int n = in.read(buffer, 0, limit);
            if (n < 0) {
                return End.EOF;
            }
            activity.touch();
            if (onFirstBytes != null) {
                onFirstBytes.run();
                onFirstBytes = null;
            }
            write(out, buffer, n);
            bytes += n;
            if (large == null && n == small.length && bufferSize > small.length) {
                large = new byte[bufferSize];
            } else if (large != null && n < large.length / 4) {
                large = null;
            }
            if (rate > 0) {
                keepPace(started);
            }
        }
    }

    private void write(OutputStream out, byte[] buffer, int n) throws IOException {
        writing = true;
        try {
            out.write(buffer, 0, n);
        } catch (IOException e) {
            failedOnWrite = true;
            throw e;
        } finally {
            writing = false;
        }
    }

    /**
     * Like NGINX's proxy_upload_rate: after reading ahead of {@code rate}, wait until the average is
     * back at it. Parking is cheap on a virtual thread, and the peer's sends meanwhile fill the
     * socket buffers, which is the back-pressure NGINX relies on too.
     */
    private void keepPace(long started) {
        long wait = started + dueNanos(bytes, rate) - System.nanoTime();
        if (wait > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    /**
     * When {@code bytes} are due at {@code rate} bytes/s, in nanoseconds from the start. Whole
     * seconds and the remainder apart: {@code bytes * 1e9} overflows a long after 9.2 GB, which
     * once made every longer transfer unlimited. Exact while rate is below 9.2 GB/s (the config
     * bounds it far lower).
     */
    static long dueNanos(long bytes, long rate) {
        long seconds = bytes / rate;
        long remainder = bytes % rate;
        return Math.multiplyExact(seconds, NANOS_PER_SECOND) + remainder * NANOS_PER_SECOND / rate;
    }

    Socket from() {
        return from;
    }

    Socket to() {
        return to;
    }

    /** Read only after the pump has reported to {@link Ending} (or its thread was joined). */
    long bytes() {
        return bytes;
    }

    End end() {
        return end;
    }

    IOException failure() {
        return failure;
    }

    boolean failedOnWrite() {
        return failedOnWrite;
    }

    /** Whether the pump is blocked writing to {@code to} right now. */
    boolean writing() {
        return writing;
    }
}
