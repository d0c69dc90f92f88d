package loomproxy.testkit;

import java.nio.file.Path;
import java.security.cert.X509CRL;

/** A CRL as issued by {@code openssl ca -gencrl}: its PEM file and the parsed form. */
public record Crl(Ca issuer, Path pem, X509CRL crl) {}
