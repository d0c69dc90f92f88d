package loomproxy.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressTextTest {
    /** RFC 5952 §4 and what nginx's $remote_addr shows for the same addresses. */
    @ParameterizedTest
    @CsvSource({
            "0:0:0:0:0:0:0:1, ::1",
            "0:0:0:0:0:0:0:0, ::",
            "2001:db8:0:0:0:0:2:1, 2001:db8::2:1",
            "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
            "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
            "fe80:0:0:0:0:0:0:0, fe80::",
            "2001:DB8:AAAA:0:0:0:0:0, 2001:db8:aaaa::",
            "127.0.0.2, 127.0.0.2"})
    void writesTheShortForm(String in, String out) throws Exception {
        assertEquals(out, AddressText.of(InetAddress.getByName(in)));
    }

    /** The JDK turns a mapped literal into an IPv4 address; a raw one built as IPv6 keeps its form. */
    @ParameterizedTest
    @CsvSource({"192.0.2.1"})
    void writesAnIpv4MappedAddressAsNginxDoes(String v4) throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(InetAddress.getByName(v4).getAddress(), 0, mapped, 12, 4);
        assertEquals("::ffff:" + v4, AddressText.of(Inet6Address.getByAddress(null, mapped, -1)));
    }
}
