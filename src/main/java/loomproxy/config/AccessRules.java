package loomproxy.config;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code allow}/{@code deny} rules of one server block (SPEC §9, NGINX's
 * ngx_stream_access_module): one rule per line of the file, in file order. The first rule with an
 * address that matches the client decides; a client that no rule matches may connect, as in NGINX.
 *
 * <p>As NGINX does, the rules are compiled into one list per address family, each in file order,
 * with {@code all} in both: an IPv4 client is checked against the IPv4 entries only, an IPv6 one
 * against the IPv6 entries. An IPv4-mapped IPv6 client ({@code ::ffff:192.0.2.1}) is checked
 * against the IPv4 entries as its IPv4 address, or against the IPv6 ones as it is when there are no
 * IPv4 entries (ngx_stream_access_handler). The lists are flat arrays, so a check is a masked
 * compare per entry of the client's family, never a lock, a map or an allocation per rule
 * ({@code jmh/run AccessRulesBench}: 1,000 rules in well under a microsecond).
 */
public final class AccessRules {
    /** {@code all}, as an entry of each family's list (NGINX adds it to both). */
    private static final AddressBlock ALL_V4 = new AddressBlock(new byte[4], 0);
    private static final AddressBlock ALL_V6 = new AddressBlock(new byte[16], 0);

    /** No rule: every client may connect. */
    public static final AccessRules NONE = new AccessRules(List.of());

    /** One {@code allow} or {@code deny} line: its addresses (or {@code all}). */
    public record Rule(boolean allow, AllowList addresses) {
        @Override
        public String toString() {
            return (allow ? "allow " : "deny ") + addresses;
        }
    }

    private final List<Rule> rules;
    private final int[] v4Network;
    private final int[] v4Mask;
    private final boolean[] v4Allow;
    private final long[] v6NetworkHigh;
    private final long[] v6NetworkLow;
    private final long[] v6MaskHigh;
    private final long[] v6MaskLow;
    private final boolean[] v6Allow;

    public AccessRules(List<Rule> rules) {
        this.rules = List.copyOf(rules);
        List<Rule> v4 = new ArrayList<>();
        List<AddressBlock> v4Blocks = new ArrayList<>();
        List<Rule> v6 = new ArrayList<>();
        List<AddressBlock> v6Blocks = new ArrayList<>();
        for (Rule rule : this.rules) {
            for (AddressBlock block : rule.addresses().blocks()) {
                (block.network().length == 4 ? v4 : v6).add(rule);
                (block.network().length == 4 ? v4Blocks : v6Blocks).add(block);
            }
            if (rule.addresses().all()) {
                v4.add(rule);
                v4Blocks.add(ALL_V4);
                v6.add(rule);
                v6Blocks.add(ALL_V6);
            }
        }
        v4Network = new int[v4.size()];
        v4Mask = new int[v4.size()];
        v4Allow = new boolean[v4.size()];
        for (int i = 0; i < v4.size(); i++) {
            v4Allow[i] = v4.get(i).allow();
            v4Network[i] = (int) word(v4Blocks.get(i).network(), 0, 4);
            v4Mask[i] = (int) mask(v4Blocks.get(i).prefix() + 32);
        }
        v6NetworkHigh = new long[v6.size()];
        v6NetworkLow = new long[v6.size()];
        v6MaskHigh = new long[v6.size()];
        v6MaskLow = new long[v6.size()];
        v6Allow = new boolean[v6.size()];
        for (int i = 0; i < v6.size(); i++) {
            byte[] network = v6Blocks.get(i).network();
            int prefix = v6Blocks.get(i).prefix();
            v6Allow[i] = v6.get(i).allow();
            v6NetworkHigh[i] = word(network, 0, 8);
            v6NetworkLow[i] = word(network, 8, 8);
            v6MaskHigh[i] = mask(prefix);
            v6MaskLow[i] = mask(prefix - 64);
        }
    }

    /** The top {@code bits} bits of a 64-bit word set (none for 0 or less, all for 64 or more). */
    private static long mask(int bits) {
        return bits <= 0 ? 0 : bits >= 64 ? -1L : -1L << (64 - bits);
    }

    private static long word(byte[] bytes, int from, int length) {
        long w = 0;
        for (int i = from; i < from + length; i++) {
            w = (w << 8) | (bytes[i] & 0xff);
        }
        return w;
    }

    /** True when the first rule that matches {@code client} is an {@code allow}, or none matches. */
    public boolean allows(InetAddress client) {
        byte[] a = client.getAddress();
        if (a.length == 4) {
            return allowsV4((int) word(a, 0, 4));
        }
        if (v4Allow.length > 0 && isV4Mapped(a)) {
            return allowsV4((int) word(a, 12, 4));
        }
        return allowsV6(word(a, 0, 8), word(a, 8, 8));
    }

    private boolean allowsV4(int address) {
        for (int i = 0; i < v4Allow.length; i++) {
            if ((address & v4Mask[i]) == v4Network[i]) {
                return v4Allow[i];
            }
        }
        return true;
    }

    private boolean allowsV6(long high, long low) {
        for (int i = 0; i < v6Allow.length; i++) {
            if ((high & v6MaskHigh[i]) == v6NetworkHigh[i] && (low & v6MaskLow[i]) == v6NetworkLow[i]) {
                return v6Allow[i];
            }
        }
        return true;
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    /** The rules as the file gave them, one per {@code allow}/{@code deny} line. */
    public List<Rule> rules() {
        return rules;
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AccessRules other && rules.equals(other.rules);
    }

    @Override
    public int hashCode() {
        return rules.hashCode();
    }

    @Override
    public String toString() {
        return rules.isEmpty() ? "(no rules)" : String.join("; ", rules.stream().map(Rule::toString).toList());
    }
}
