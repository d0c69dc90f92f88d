package loomproxy.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The {@code proxy_ssl*} directives of one server block, after inheritance and with SPEC defaults.
 * {@code name} empty means "the chosen server's host" (SPEC §8). {@code protocols} holds the
 * names as written (TLSv1 ... TLSv1.3); {@code ciphers} the OpenSSL cipher string as written;
 * {@code confCommands} each {@code proxy_ssl_conf_command} value as written, e.g.
 * {@code "Ciphersuites TLS_AES_256_GCM_SHA384"}.
 */
public record TlsConfig(boolean enabled,
                        Optional<Path> certificate,
                        Optional<Path> certificateKey,
                        Optional<Path> passwordFile,
                        Optional<Path> trustedCertificate,
                        Optional<Path> crl,
                        boolean verify,
                        int verifyDepth,
                        Optional<String> name,
                        boolean serverName,
                        List<String> protocols,
                        String ciphers,
                        List<String> confCommands,
                        boolean sessionReuse) {}
