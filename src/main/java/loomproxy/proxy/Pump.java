package loomproxy.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * Copies one direction of a session, {@code from} to {@code to}, until EOF, an error, or the session's
 * idle timeout. Named so a thread dump reads like the design: "pump client>upstream #42".
 * It never closes a socket (the session owns them); at EOF the session decides what to propagate.
 * Its results are plain fields: the session reads them only after joining the thread.
 */
final class Pump implements Runnable {
    enum End { EOF, IDLE, ERROR }

    private final Socket from;
    private final Socket to;
    private final int bufferSize;
    private final Activity activity;
    private final Runnable onEnd;
    private long bytes;
    private End end;
    private IOException failure;
    private boolean failedOnWrite;

    Pump(Socket from, Socket to, int bufferSize, Activity activity, Runnable onEnd) {
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
            end = End.ERROR;
        } finally {
            onEnd.run();
        }
    }

    private End copy() throws IOException {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        byte[] buffer = new byte[bufferSize];
        while (true) {
            int n;
            try {
                n = in.read(buffer);
            } catch (SocketTimeoutException quiet) {
                // The read timeout is proxy_timeout; the session is idle only if the other
                // direction was quiet as long (NGINX: no bytes either way).
                if (activity.idleFor()) {
                    return End.IDLE;
                }
                continue;
            }
            if (n < 0) {
                return End.EOF;
            }
            activity.touch();
            try {
                out.write(buffer, 0, n);
            } catch (IOException e) {
                failedOnWrite = true;
                throw e;
            }
            bytes += n;
        }
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
