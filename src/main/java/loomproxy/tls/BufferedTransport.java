package loomproxy.tls;

import java.io.BufferedInputStream;
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
            buffered = new BufferedInputStream(super.getInputStream(), SIZE);
        }
        return buffered;
    }
}
