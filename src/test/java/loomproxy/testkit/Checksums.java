package loomproxy.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;

/** Large transfers checked end to end: what one side wrote and the other read, as SHA-256. */
public final class Checksums {
    private Checksums() {
    }

    /** Writes {@code size} bytes (rounded up to 64 KiB) of seeded random data; their SHA-256. */
    public static byte[] writeRandom(OutputStream out, long size, long seed) throws IOException, NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        Random random = new Random(seed);
        byte[] chunk = new byte[64 * 1024];
        for (long written = 0; written < size; written += chunk.length) {
            random.nextBytes(chunk);
            out.write(chunk);
            sha.update(chunk);
        }
        return sha.digest();
    }

    /** Reads exactly {@code size} bytes; their SHA-256, or an IOException naming how many came before EOF. */
    public static byte[] digest(InputStream in, long size) throws IOException, NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[64 * 1024];
        for (long read = 0; read < size; ) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, size - read));
            if (n < 0) {
                throw new IOException("EOF after " + read + " of " + size + " bytes");
            }
            sha.update(buffer, 0, n);
            read += n;
        }
        return sha.digest();
    }
}
