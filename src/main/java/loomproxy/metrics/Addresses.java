package loomproxy.metrics;

import java.net.Inet6Address;
import java.net.InetSocketAddress;

/** {@code 127.0.0.1:12345} or {@code [::1]:12345}: a bound address as the log and the status page write it. */
public final class Addresses {
    private Addresses() {}

    public static String text(InetSocketAddress a) {
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return a.getAddress() instanceof Inet6Address ? "[" + host + "]:" + a.getPort() : host + ":" + a.getPort();
    }
}
