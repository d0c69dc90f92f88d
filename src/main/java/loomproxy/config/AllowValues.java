package loomproxy.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ADDRESS[/BITS], ..., } or {@code all}: the address list of NGINX's {@code allow}
 * (ngx_stream_access_module), comma separated as SPEC §9 writes it. Only literals: a host name is
 * refused, never looked up, so reading the file does no DNS.
 */
final class AllowValues {
    private AllowValues() {}

    static AllowList parse(String value) throws InvalidValueException {
        List<AddressBlock> blocks = new ArrayList<>();
        boolean all = false;
        for (String entry : value.split(",", -1)) {
            String e = entry.strip();
            if (e.isEmpty()) {
                throw new InvalidValueException("empty entry in \"" + value + "\", entries are separated by single commas");
            }
            if (e.equals("all")) {
                all = true;
            } else {
                blocks.add(block(e));
            }
        }
        return new AllowList(all, blocks);
    }

    /** {@code 192.0.2.1}, {@code 10.0.0.0/8}, {@code ::1}, {@code 2001:db8::/32}. */
    static AddressBlock block(String entry) throws InvalidValueException {
        int slash = entry.indexOf('/');
        String literal = slash < 0 ? entry : entry.substring(0, slash);
        InetAddress address = literal(literal, entry);
        byte[] network = AddressBlock.comparable(address);
        // An IPv4-mapped literal (::ffff:192.0.2.0) is its IPv4 address: its prefix counts from bit 96.
        boolean mapped = network.length == 4 && literal.indexOf(':') >= 0;
        int max = mapped ? 128 : network.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String bits = entry.substring(slash + 1);
            prefix = bits.matches("\\d{1,3}") ? Integer.parseInt(bits) : -1;
            if (prefix < (mapped ? 96 : 0) || prefix > max) {
                throw new InvalidValueException("invalid prefix length \"" + bits + "\" in \"" + entry
                        + "\", it must be " + (mapped ? 96 : 0) + ".." + max);
            }
        }
        prefix -= mapped ? 96 : 0;
        AddressBlock block = new AddressBlock(masked(network, prefix), prefix);
        // NGINX only warns ("low address bits of ... are meaningless") and masks them; a typo there
        // changes who gets in, so here it is an error that shows what was meant.
        if (!Arrays.equals(block.network(), network)) {
            throw new InvalidValueException("low address bits of " + entry + " are meaningless; write " + block);
        }
        return block;
    }

    private static InetAddress literal(String text, String entry) throws InvalidValueException {
        try {
            if (text.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                byte[] b = new byte[4];
                String[] parts = text.split("\\.");
                for (int i = 0; i < 4; i++) {
                    int octet = Integer.parseInt(parts[i]);
                    if (octet > 255) {
                        throw badAddress(entry);
                    }
                    b[i] = (byte) octet;
                }
                return InetAddress.getByAddress(b);
            }
            // A string with a colon is taken as an IPv6 literal and never looked up; the character
            // check keeps zone ids, brackets and names out.
            if (text.indexOf(':') >= 0 && text.matches("[0-9A-Fa-f:.]+") && text.length() <= 45) {
                return InetAddress.getByName(text);
            }
        } catch (UnknownHostException e) {
            throw badAddress(entry);
        }
        throw badAddress(entry);
    }

    private static InvalidValueException badAddress(String entry) {
        return new InvalidValueException("invalid address \"" + entry
                + "\", use an IPv4 or IPv6 address, a CIDR block such as 10.0.0.0/8, or all");
    }

    private static byte[] masked(byte[] network, int prefix) {
        byte[] out = network.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - 8 * i));
            out[i] &= (byte) ((0xff << (8 - keep)) & 0xff);
        }
        return out;
    }
}
