package loomproxy.tls;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The plain socket under an upstream SSLSocket, read through a small buffer. JSSE reads each TLS
 * record as two reads — the 5-byte header, then the body — and a read on a socket is a system call;
 * with this buffer a small record (a request, a reply) costs one. Records larger than the buffer are
 * read straight into JSSE's own, as before. Small, because an idle session keeps it.
 */
public final class BufferedTransport extends java.net.Socket {
    /** A small record whole: header, up to ~2 KiB of data, tag. */
    private static final int SIZE = 2048;

    private InputStream buffered;

    @Override
    public InputStream getInputStream() throws IOException {
        if (buffered == null) {
            buffered = new BufferedInputStream(new NothingAvailable(super.getInputStream()), SIZE);
        }
        return buffered;
    }

    /**
     * The socket's stream, saying that nothing can be read without waiting and skipping nothing, so
     * the buffer above it counts only its own bytes. Closing an SSLSocket "depletes" its input,
     * skipping while {@code available()} is not 0 (SSLSocketInputRecord.deplete): against an
     * upstream that keeps sending, the socket's count never reached 0, and the closing thread read
     * and threw data away on a carrier for as long as the peer sent — 40 such sessions ending at
     * once stalled every other session for seconds, and a healthy one was ended by its idle timeout
     * (QA). JSSE asks {@code available()} nowhere else. (A FilterInputStream under a plain
     * BufferedInputStream, not a BufferedInputStream subclass: a subclass locks with synchronized,
     * which on JDK 21 pins a virtual thread blocked in a read to its carrier.)
     */
    private static final class NothingAvailable extends FilterInputStream {
        NothingAvailable(InputStream in) {
            super(in);
        }

        @Override
        public int available() {
            return 0;
        }

        @Override
        public long skip(long n) {
            return 0;
        }
    }
}
