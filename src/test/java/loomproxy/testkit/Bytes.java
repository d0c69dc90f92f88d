package loomproxy.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Socket reading for assertions: exact counts, or everything until EOF. */
public final class Bytes {
    private Bytes() {
    }

    public static byte[] readExactly(InputStream in, int count) throws IOException {
        byte[] data = in.readNBytes(count);
        if (data.length != count) {
            throw new IOException("EOF after " + data.length + " of " + count + " bytes");
        }
        return data;
    }

    public static String readString(Socket socket, int count) throws IOException {
        return new String(readExactly(socket.getInputStream(), count), StandardCharsets.UTF_8);
    }

    /** Reads until EOF; a reset surfaces as the IOException. */
    public static byte[] readToEof(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    /**
     * Sends {@code payload} from a second thread while reading as many bytes back, so an echo larger
     * than the socket buffers cannot deadlock the test; returns what came back.
     */
    public static byte[] echo(Socket socket, byte[] payload) throws IOException, InterruptedException {
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                socket.getOutputStream().write(payload);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        byte[] back = readExactly(socket.getInputStream(), payload.length);
        writer.join();
        return back;
    }

    public static void write(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }
}
