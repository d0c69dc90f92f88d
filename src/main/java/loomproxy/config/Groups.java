package loomproxy.config;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The upstream groups: every {@code upstream.NAME}, plus one implicit group per distinct
 * {@code proxy_pass host:port}, created once and shared by every server block that names it (as
 * NGINX's ngx_stream_upstream_add reuses an implicit upstream for the same host and port).
 */
final class Groups {
    private final Map<String, UpstreamGroupConfig> byName = new LinkedHashMap<>();
    private final Set<String> declared = new HashSet<>();
    private final Problems problems;

    Groups(Problems problems) {
        this.problems = problems;
    }

    /** An {@code upstream.NAME} key; its group exists only if its server list was valid. */
    void declare(String name, Section section) {
        declared.add(name);
        section.value(Directive.UPSTREAM).ifPresent(servers -> byName.put(name,
                new UpstreamGroupConfig(name, servers, section.start())));
    }

    /** The group {@code proxy_pass} names: a declared group first, else {@code host:port}. */
    Optional<UpstreamGroupConfig> resolve(String target, Setting proxyPass) {
        if (declared.contains(target)) {
            return Optional.ofNullable(byName.get(target));
        }
        try {
            HostPort address = Values.hostPort(target);
            return Optional.of(byName.computeIfAbsent(address.toString(), name -> new UpstreamGroupConfig(
                    name, List.of(UpstreamValues.single(address)), proxyPass.where())));
        } catch (InvalidValueException e) {
            String message = target.contains(":") ? e.getMessage()
                    : !target.matches(Keys.NAME_CHARS) ? "no upstream \"" + target + "\"; name a group (letters, digits,"
                            + " _ and -) or write host:port"
                    : "no upstream \"" + target + "\"; define upstream." + target + " = host:port, ... or write host:port";
            problems.add(proxyPass.where(), proxyPass.key(), message);
            return Optional.empty();
        }
    }

    /** Every group in the order the file defines or first uses it. */
    Map<String, UpstreamGroupConfig> all() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(byName));
    }
}
