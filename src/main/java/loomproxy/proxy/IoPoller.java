package loomproxy.proxy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Starts the JDK's I/O poller before anything is accepted. The JDK creates its poller threads and
 * their epoll descriptors the first time a virtual thread blocks on a socket; if descriptors have
 * run out at that moment the poller's class fails to initialise, and from then on every blocking
 * socket operation on a virtual thread fails, for the life of the process. So a virtual thread
 * blocks on a socket here, once, and the start fails with a clear message if that cannot work.
 */
final class IoPoller {
    private IoPoller() {
    }

    static void start() throws IOException {
        CompletableFuture<Void> blocked = new CompletableFuture<>();
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            probe.setSoTimeout(1);
            Thread.ofVirtual().name("start I/O poller").start(() -> {
                try {
                    probe.accept().close(); // nobody connects: a timed wait on the poller, then a timeout
                    blocked.complete(null);
                } catch (SocketTimeoutException expected) {
                    blocked.complete(null);
                } catch (Throwable e) {
                    blocked.completeExceptionally(e);
                }
            });
            blocked.get();
        } catch (IOException e) {
            throw failed(e);
        } catch (ExecutionException e) {
            throw failed(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the JDK's I/O poller", e);
        }
    }

    private static IOException failed(Throwable cause) {
        Throwable root = cause instanceof ExceptionInInitializerError && cause.getCause() != null ? cause.getCause() : cause;
        String why = root instanceof IOException && root.getMessage() != null ? root.getMessage() : root.toString();
        return new IOException("cannot start the JDK's I/O poller (" + why
                + "): raise the open-file limit (ulimit -n, LimitNOFILE= in the unit)", cause);
    }
}
