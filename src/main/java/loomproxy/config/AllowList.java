package loomproxy.config;

import java.net.InetAddress;
import java.util.List;

/**
 * Who may connect: {@code all}, or the listed address blocks (SPEC §9's list syntax, used by
 * {@code admin_allow}). Anything not listed is refused.
 */
public record AllowList(boolean all, List<AddressBlock> blocks) {
    public AllowList {
        blocks = List.copyOf(blocks);
    }

    public boolean permits(InetAddress client) {
        return all || blocks.stream().anyMatch(b -> b.matches(client));
    }

    @Override
    public String toString() {
        return all ? "all" : String.join(", ", blocks.stream().map(AddressBlock::toString).toList());
    }
}
