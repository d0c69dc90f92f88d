package loomproxy.observe;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * An IP address as NGINX writes it ({@code ngx_inet6_ntop}): IPv6 in RFC 5952's short form
 * ({@code ::1}, {@code 2001:db8::7}; the longest run of two or more zero groups, the first of equal
 * ones, becomes {@code ::}), an IPv4-mapped one as {@code ::ffff:192.0.2.1}, never a zone. The JDK's
 * {@code getHostAddress()} writes {@code 0:0:0:0:0:0:0:1}, which is valid but is not what NGINX's
 * {@code $remote_addr} or its PROXY v1 line shows.
 */
public final class AddressText {
    private AddressText() {}

    public static String of(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        byte[] b = address.getAddress();
        if (isV4Mapped(b)) {
            return "::ffff:" + (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "." + (b[15] & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
        }
        int zeroStart = -1;
        int zeroLength = 1; // a lone zero group is written as 0 (RFC 5952 §4.2.2)
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > zeroLength) {
                zeroStart = i;
                zeroLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == zeroStart) {
                text.append("::");
                i += zeroLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }
}
