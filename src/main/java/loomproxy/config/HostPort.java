package loomproxy.config;

import java.util.regex.Pattern;

/** A host name or IP literal and a port, as written in {@code proxy_pass} or an upstream server line. */
public record HostPort(String host, int port) {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /** An IPv4 or IPv6 literal: nothing to resolve (an IPv6 host is the only kind with a colon). */
    public boolean isIpLiteral() {
        return host.indexOf(':') >= 0 || IPV4.matcher(host).matches();
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
