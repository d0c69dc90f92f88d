package loomproxy.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * Copies one direction of a session, {@code from} to {@code to}, until EOF, an error, or the session's
 * idle timeout (the sweeper closes the sockets; {@link Activity} tells that apart from an error). Named so a thread dump reads like the design: "pump client>upstream #42".
 * It never closes a socket (the session owns them); at EOF the session decides what to propagate.
 * Its results are plain fields: the session reads them only after joining the thread.
 */
final class Pump implements Runnable {
    enum End { EOF, IDLE, ERROR }

    /** What a waiting pump holds: enough for a typical request or reply, small beside 16k. */
    static final int SMALL_BUFFER = 2048;

    private final Socket from;
    private final Socket to;
    private final int bufferSize;
    private final Activity activity;
    private final Runnable onEnd;
    private final long rate;
    private Runnable onFirstBytes;
    private long bytes;
    private End end;
    private IOException failure;
    private boolean failedOnWrite;

    /** Runs once when the first bytes have been read (used to return a TLS ticket slot). */
    Pump onFirstBytes(Runnable action) {
        this.onFirstBytes = action;
        return this;
    }

    /** @param rate bytes per second read from {@code from} (proxy_upload_rate/_download_rate), 0 = unlimited */
    Pump(Socket from, Socket to, int bufferSize, long rate, Activity activity, Runnable onEnd) {
        this.rate = rate;
        this.from = from;
        this.to = to;
        this.bufferSize = bufferSize;
        this.activity = activity;
        this.onEnd = onEnd;
    }

    @Override
    public void run() {
        try {
            end = copy();
        } catch (IOException e) {
            failure = e;
            end = activity.expired() ? End.IDLE : End.ERROR;
        } finally {
            onEnd.run();
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
            try {
                out.write(buffer, 0, n);
            } catch (IOException e) {
                failedOnWrite = true;
                throw e;
            }
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

    /**
     * Like NGINX's proxy_upload_rate: after reading ahead of {@code rate}, wait until the average is
     * back at it. Parking is cheap on a virtual thread, and the peer's sends meanwhile fill the
     * socket buffers, which is the back-pressure NGINX relies on too.
     */
    private void keepPace(long started) {
        long due = started + bytes * 1_000_000_000L / rate;
        long wait = due - System.nanoTime();
        if (wait > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(wait);
        }
    }

    Socket from() {
        return from;
    }

    Socket to() {
        return to;
    }

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
}
