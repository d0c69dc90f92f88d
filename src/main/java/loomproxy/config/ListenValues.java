package loomproxy.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code listen = [address:]port [backlog=N] [reuseport] [so_keepalive=on|off], ...}: the parameters of
 * NGINX's stream {@code listen} that a plain TCP acceptor on the JDK can honour.
 */
final class ListenValues {
    /** NGINX's {@code listen 12345} binds every IPv4 address. */
    static final String ANY_IPV4 = "0.0.0.0";
    /** {@code admin_listen 9100} binds only the loopback address: the endpoint is for the host's own agents. */
    static final String LOOPBACK_IPV4 = "127.0.0.1";

    private ListenValues() {}

    static List<ListenAddress> parse(String value) throws InvalidValueException {
        List<ListenAddress> out = new ArrayList<>();
        for (String entry : value.split(",", -1)) {
            List<String> words = Values.words(entry);
            if (words.isEmpty()) {
                throw new InvalidValueException("empty entry in \"" + value + "\", entries are separated by single commas");
            }
            out.add(inEntry(words, entry.strip()));
        }
        return List.copyOf(out);
    }

    private static ListenAddress inEntry(List<String> words, String entry) throws InvalidValueException {
        try {
            return entry(words, entry);
        } catch (InvalidValueException e) {
            throw e.getMessage().contains(entry) ? e : new InvalidValueException(e.getMessage() + " (in \"" + entry + "\")");
        }
    }

    private static ListenAddress entry(List<String> words, String entry) throws InvalidValueException {
        HostPort address = address(words.get(0));
        int backlog = -1;
        boolean reusePort = false;
        boolean soKeepalive = false;
        for (String param : words.subList(1, words.size())) {
            if (param.startsWith("backlog=")) {
                backlog = Values.number(param.substring("backlog=".length()), 1);
            } else if (param.equals("reuseport")) {
                reusePort = true;
            } else if (param.startsWith("so_keepalive=")) {
                soKeepalive = keepalive(param.substring("so_keepalive=".length()));
            } else {
                throw new InvalidValueException("invalid parameter \"" + param + "\" in \"" + entry
                        + "\", listen takes backlog=N, reuseport and so_keepalive=on|off");
            }
        }
        return new ListenAddress(address, backlog, reusePort, soKeepalive);
    }

    /**
     * {@code 12345}, {@code *:12345}, {@code 127.0.0.1:12345}, {@code localhost:12345} or {@code [::1]:12345}.
     * Port 0 (unlike NGINX) asks the system for a free port: tests and embedded uses read it back.
     */
    static HostPort address(String a) throws InvalidValueException {
        Values.refuseUnixSocket(a, "[address:]port");
        if (a.equals("0") || a.endsWith(":0")) {
            String host = a.equals("0") || a.equals("*:0") ? ANY_IPV4 : Values.hostPort(a.substring(0, a.length() - 1) + "1").host();
            return new HostPort(host, 0);
        }
        if (a.matches("\\d+")) {
            return new HostPort(ANY_IPV4, Values.port(a, a));
        }
        if (a.startsWith("*:")) {
            return new HostPort(ANY_IPV4, Values.port(a.substring(2), a));
        }
        return Values.hostPort(a);
    }

    /**
     * {@code admin_listen = [address:]port}: one address, no parameters; a bare port binds
     * {@value #LOOPBACK_IPV4}, so turning the endpoint on never exposes it by accident (SPEC §10).
     * {@code off}, the documented default, is no endpoint, as if the key were absent.
     */
    static Optional<HostPort> admin(String value) throws InvalidValueException {
        String a = Values.word(value);
        if (a.equalsIgnoreCase("off")) {
            return Optional.empty();
        }
        if (a.contains(",")) {
            throw new InvalidValueException("invalid value \"" + value + "\", admin_listen takes one address");
        }
        if (a.matches("\\d+")) {
            return Optional.of(new HostPort(LOOPBACK_IPV4, a.equals("0") ? 0 : Values.port(a, a)));
        }
        return Optional.of(address(a));
    }

    /** NGINX also takes {@code so_keepalive=idle:intvl:cnt}; the JDK sets those per socket only on some systems. */
    private static boolean keepalive(String v) throws InvalidValueException {
        if (v.contains(":")) {
            throw new InvalidValueException("so_keepalive=" + v
                    + " is not supported by this version of loomproxy; use so_keepalive=on or off");
        }
        return Values.flag(v);
    }
}
