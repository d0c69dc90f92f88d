package loomproxy.proxy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import loomproxy.config.ProxyProtocol;
import loomproxy.observe.AddressText;

/**
 * The PROXY protocol header that tells the upstream who the client is (haproxy.org
 * proxy-protocol.txt), sent before anything else on the upstream connection — before the TLS
 * ClientHello, as NGINX sends it. v1 (§2.1) is one text line; v2 (§2.2) is binary.
 */
final class ProxyHeader {
    /** §2.2: the 12 bytes every v2 header starts with. */
    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    /** Version 2 (high nibble), command PROXY (low nibble 1): the connection was relayed for a client. */
    private static final byte V2_PROXY = 0x21;
    /** AF_INET (high nibble 1) or AF_INET6 (2) over STREAM, i.e. TCP (low nibble 1). */
    private static final byte TCP_OVER_IPV4 = 0x11;
    private static final byte TCP_OVER_IPV6 = 0x21;

    private ProxyHeader() {}

    /**
     * The header for a client connection from {@code source} to {@code destination} (our listen
     * address); null when {@code kind} is off, or when the client is gone already (the session then
     * ends at its first read).
     */
    static byte[] of(ProxyProtocol kind, InetSocketAddress source, InetSocketAddress destination) {
        if (kind == ProxyProtocol.OFF || source == null || destination == null) {
            return null;
        }
        return kind == ProxyProtocol.V2 ? v2(source, destination) : v1(source, destination);
    }

    /** §2.1: {@code PROXY TCP4 192.0.2.7 192.0.2.1 51234 12345\r\n}. */
    static byte[] v1(InetSocketAddress source, InetSocketAddress destination) {
        boolean v6 = source.getAddress() instanceof Inet6Address || destination.getAddress() instanceof Inet6Address;
        String line = "PROXY " + (v6 ? "TCP6 " : "TCP4 ") + text(source.getAddress(), v6) + " "
                + text(destination.getAddress(), v6) + " " + source.getPort() + " " + destination.getPort() + "\r\n";
        return line.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * §2.2: signature, version and command, family and protocol, the length of what follows (12
     * bytes for IPv4, 36 for IPv6, big-endian), then source and destination address, source and
     * destination port. Both addresses must be of one family; if only one side is IPv6 (a dual-stack
     * listener never gives that, but nothing forbids it), the IPv4 one is sent as IPv4-mapped IPv6.
     */
    static byte[] v2(InetSocketAddress source, InetSocketAddress destination) {
        boolean v6 = !(source.getAddress() instanceof Inet4Address && destination.getAddress() instanceof Inet4Address);
        int addresses = v6 ? 36 : 12;
        ByteBuffer header = ByteBuffer.allocate(V2_SIGNATURE.length + 4 + addresses);
        header.put(V2_SIGNATURE).put(V2_PROXY).put(v6 ? TCP_OVER_IPV6 : TCP_OVER_IPV4).putShort((short) addresses);
        header.put(bytes(source.getAddress(), v6)).put(bytes(destination.getAddress(), v6));
        header.putShort((short) source.getPort()).putShort((short) destination.getPort());
        return header.array();
    }

    /** The address's 4 or 16 bytes; an IPv4 one as {@code ::ffff:a.b.c.d} when {@code v6}. */
    private static byte[] bytes(InetAddress address, boolean v6) {
        byte[] raw = address.getAddress();
        if (!v6 || raw.length == 16) {
            return raw;
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(raw, 0, mapped, 12, 4);
        return mapped;
    }

    /**
     * §2.1 wants an IPv6 address without a zone, and an IPv4 one mapped when the line says TCP6;
     * IPv6 in the short form NGINX sends ({@code ::1}), which a v1 parser such as NGINX's passes on
     * to its $proxy_protocol_addr as written.
     */
    private static String text(InetAddress address, boolean v6) {
        if (address instanceof Inet6Address) {
            return AddressText.of(address);
        }
        return v6 ? "::ffff:" + address.getHostAddress() : address.getHostAddress();
    }
}
