package loomproxy.config;

/** A host name or IP literal and a port, as written in {@code proxy_pass} or an upstream server line. */
public record HostPort(String host, int port) {
    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
