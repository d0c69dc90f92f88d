package loomproxy.config;

/**
 * {@code proxy_protocol}: which PROXY protocol header (haproxy.org proxy-protocol.txt) goes to the
 * upstream before anything else, the TLS ClientHello included. {@code on} is {@code v1}, NGINX's
 * only kind; {@code v2} is the binary header.
 */
public enum ProxyProtocol {
    OFF, V1, V2
}
