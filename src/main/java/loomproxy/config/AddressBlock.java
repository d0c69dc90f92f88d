package loomproxy.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * One entry of an allow list (SPEC §9): an IPv4 or IPv6 network in CIDR form; a single address is a
 * block of one ({@code /32}, {@code /128}). An IPv4-mapped IPv6 client ({@code ::ffff:192.0.2.1})
 * is matched as the IPv4 address it carries, as NGINX's ngx_stream_access_module does.
 */
public record AddressBlock(byte[] network, int prefix) {
    public AddressBlock {
        network = network.clone();
    }

    @Override
    public byte[] network() {
        return network.clone();
    }

    public boolean matches(InetAddress address) {
        byte[] bytes = comparable(address);
        if (bytes.length != network.length) {
            return false;
        }
        int whole = prefix / 8;
        for (int i = 0; i < whole; i++) {
            if (bytes[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (bytes[whole] & mask) == (network[whole] & mask);
    }

    /** The address's bytes, an IPv4-mapped IPv6 address as its four IPv4 bytes. */
    static byte[] comparable(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address && isV4Mapped(bytes)) {
            return Arrays.copyOfRange(bytes, 12, 16);
        }
        return bytes;
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AddressBlock other && prefix == other.prefix && Arrays.equals(network, other.network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefix;
    }

    /** As written in a configuration: {@code 10.0.0.0/8}, {@code ::1/128}. */
    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("an address block of " + network.length + " bytes", e);
        }
    }
}
