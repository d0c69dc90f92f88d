package loomproxy.config;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code allow}/{@code deny} rules of one server block (SPEC §9, NGINX's
 * ngx_stream_access_module): one rule per line of the file, in file order. The first rule with an
 * address that matches the client decides; a client that no rule matches may connect, as in NGINX.
 * An IPv4-mapped IPv6 client ({@code ::ffff:192.0.2.1}) is matched as its IPv4 address.
 *
 * <p>The rules are compiled into flat arrays when the file is read, so checking a client takes one
 * copy of its address and a masked compare per rule (about a nanosecond each; {@code jmh/run
 * AccessRulesBench}), never a lock or a map.
 */
public final class AccessRules {
    /** No rule: every client may connect. */
    public static final AccessRules NONE = new AccessRules(List.of());

    private static final byte ANY = 0;
    private static final byte V4 = 4;
    private static final byte V6 = 6;

    /** One {@code allow} or {@code deny} line: its addresses (or {@code all}). */
    public record Rule(boolean allow, AllowList addresses) {
        @Override
        public String toString() {
            return (allow ? "allow " : "deny ") + addresses;
        }
    }

    private final List<Rule> rules;
    private final byte[] family;
    private final boolean[] allow;
    private final long[] networkHigh;
    private final long[] networkLow;
    private final long[] maskHigh;
    private final long[] maskLow;

    public AccessRules(List<Rule> rules) {
        this.rules = List.copyOf(rules);
        List<Object[]> entries = new ArrayList<>();
        for (Rule rule : this.rules) {
            for (AddressBlock block : rule.addresses().blocks()) {
                entries.add(new Object[] {rule.allow(), block});
            }
            if (rule.addresses().all()) {
                entries.add(new Object[] {rule.allow(), null});
            }
        }
        int n = entries.size();
        family = new byte[n];
        allow = new boolean[n];
        networkHigh = new long[n];
        networkLow = new long[n];
        maskHigh = new long[n];
        maskLow = new long[n];
        for (int i = 0; i < n; i++) {
            allow[i] = (Boolean) entries.get(i)[0];
            compile(i, (AddressBlock) entries.get(i)[1]);
        }
    }

    /** Entry {@code i} as a 128-bit (IPv6) or 32-bit (IPv4, in the low word) network and mask. */
    private void compile(int i, AddressBlock block) {
        if (block == null) {
            family[i] = ANY;
            return;
        }
        byte[] network = block.network();
        int prefix = block.prefix();
        if (network.length == 4) {
            family[i] = V4;
            networkLow[i] = word(network, 0, 4);
            maskLow[i] = prefix == 0 ? 0 : (0xffff_ffffL << (32 - prefix)) & 0xffff_ffffL;
        } else {
            family[i] = V6;
            networkHigh[i] = word(network, 0, 8);
            networkLow[i] = word(network, 8, 8);
            maskHigh[i] = mask(prefix);
            maskLow[i] = mask(prefix - 64);
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
        if (family.length == 0) {
            return true;
        }
        byte[] address = AddressBlock.comparable(client);
        byte kind = address.length == 4 ? V4 : V6;
        long high = kind == V4 ? 0 : word(address, 0, 8);
        long low = kind == V4 ? word(address, 0, 4) : word(address, 8, 8);
        for (int i = 0; i < family.length; i++) {
            if (family[i] == ANY || family[i] == kind
                    && (high & maskHigh[i]) == networkHigh[i] && (low & maskLow[i]) == networkLow[i]) {
                return allow[i];
            }
        }
        return true;
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
