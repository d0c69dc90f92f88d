package loomproxy.tls;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Security;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import loomproxy.config.Location;
import loomproxy.config.Problems;
import loomproxy.config.Sources;
import loomproxy.config.TlsConfig;
import loomproxy.tls.pem.PemException;
import loomproxy.tls.pem.PemFiles;
import loomproxy.tls.pem.PrivateKeys;
import loomproxy.tls.trust.UpstreamTrust;

/**
 * Loads and checks everything a server block's TLS needs — files, key against certificate, protocols,
 * cipher string, conf commands — reporting each problem against the directive that caused it. The
 * same code serves {@code --check} and the start, so both agree on what is valid.
 */
public final class TlsSetup {
    private static final Set<String> KNOWN_PROTOCOLS = Set.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    private final TlsConfig config;
    private final Sources sources;
    private final Problems problems;
    /** What was read, for {@link TlsMaterial}. */
    private List<X509Certificate> clientChain = List.of();
    private List<X509Certificate> trusted = List.of();
    private List<X509CRL> crls = List.of();
    /**
     * Whether this block had an error. Not read off {@link Problems}: it keeps an error once, so a
     * block inheriting the same bad setting as an earlier block adds nothing there.
     */
    private boolean failed;

    private TlsSetup(TlsConfig config, Sources sources, Problems problems) {
        this.config = config;
        this.sources = sources;
        this.problems = problems;
    }

    /** Returns the block's TLS, or empty when a problem was reported (or proxy_ssl is off). */
    public static Optional<UpstreamTls> load(TlsConfig config, Sources sources, Problems problems, InstantSource clock) {
        if (!config.enabled()) {
            return Optional.empty();
        }
        return new TlsSetup(config, sources, problems).build(clock);
    }

    private Optional<UpstreamTls> build(InstantSource clock) {
        // Taken before the files are read, so a file that changes while they load is read again later.
        TlsFiles files = TlsFiles.of(config);
        List<String> protocols = protocols();
        SSLContext probe = defaultContext();
        if (probe == null) {
            return Optional.empty();
        }
        List<String> available = Arrays.asList(probe.getSupportedSSLParameters().getCipherSuites());
        List<String> suites = suites(available, protocols);
        SslConfCommands.Parsed commands = confCommands(available);
        KeyManager[] keys = keyManagers(clock);
        TrustManager[] trust = trustManagers(clock);
        if (failed) {
            return Optional.empty();
        }
        List<String> enabled = new ArrayList<>();
        if (protocols.contains("TLSv1.3")) {
            enabled.addAll(commands.tls13Suites().orElseGet(() -> tls13Defaults(probe)));
        }
        enabled.addAll(suites);
        try {
            return Optional.of(new UpstreamTls(config, files, keys, trust, protocols, enabled,
                    commands.namedGroups().orElse(null), new TlsMaterial(clientChain, trusted, crls)));
        } catch (GeneralSecurityException e) {
            error(sources.of("proxy_ssl"), "proxy_ssl", "cannot set up TLS: " + e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * TLSv1 and TLSv1.1 are disabled by the JDK's jdk.tls.disabledAlgorithms policy: asking for them is
     * a warning that names the policy; asking for nothing usable is an error (SPEC §4).
     */
    private List<String> protocols() {
        String key = "proxy_ssl_protocols";
        Set<String> disabled = Arrays.stream(String.valueOf(Security.getProperty("jdk.tls.disabledAlgorithms")).split(","))
                .map(String::trim).collect(Collectors.toSet());
        List<String> usable = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (String p : config.protocols()) {
            if (!KNOWN_PROTOCOLS.contains(p) || disabled.contains(p)) {
                refused.add(p);
            } else {
                usable.add(p);
            }
        }
        if (!refused.isEmpty()) {
            String what = String.join(" ", refused) + (refused.size() == 1 ? " is" : " are")
                    + " disabled by the JDK's security policy (jdk.tls.disabledAlgorithms in $JAVA_HOME/conf/security/java.security)";
            if (usable.isEmpty()) {
                error(sources.of(key), key, what + " and nothing else is enabled: add TLSv1.2 and/or TLSv1.3");
            } else {
                problems.warn(sources.of(key), sources.key(key), what + "; using " + String.join(" ", usable));
            }
        }
        return usable;
    }

    private List<String> suites(List<String> available, List<String> protocols) {
        try {
            return CipherStrings.select(config.ciphers(), available);
        } catch (TlsConfigException e) {
            if (protocols.equals(List.of("TLSv1.3"))) {
                return List.of(); // the TLS <= 1.2 list does not matter when only TLS 1.3 is enabled
            }
            error(sources.of("proxy_ssl_ciphers"), "proxy_ssl_ciphers", e.getMessage());
            return List.of();
        }
    }

    /** Each proxy_ssl_conf_command line is one command (NGINX repeats the directive): a bad one is reported at its own line. */
    private SslConfCommands.Parsed confCommands(List<String> available) {
        String key = "proxy_ssl_conf_command";
        SslConfCommands.Parsed parsed = SslConfCommands.NONE;
        List<String> commands = config.confCommands();
        for (int i = 0; i < commands.size(); i++) {
            try {
                parsed = SslConfCommands.apply(parsed, commands.get(i), available);
            } catch (TlsConfigException e) {
                error(sources.of(key, i), key, e.getMessage());
            }
        }
        return parsed;
    }

    private KeyManager[] keyManagers(InstantSource clock) {
        Optional<Path> certificate = config.certificate();
        Optional<Path> key = config.certificateKey();
        if (certificate.isEmpty() && key.isEmpty()) {
            return new KeyManager[] {new ClientKeyManager(List.of(), null)};
        }
        if (certificate.isEmpty() || key.isEmpty()) {
            String missing = certificate.isEmpty() ? "proxy_ssl_certificate" : "proxy_ssl_certificate_key";
            String given = certificate.isEmpty() ? "proxy_ssl_certificate_key" : "proxy_ssl_certificate";
            error(sources.of(given), given, "is set but " + missing + " is not: mutual TLS needs both");
            return null;
        }
        List<X509Certificate> chain = read("proxy_ssl_certificate", () -> PemFiles.certificates(certificate.get()));
        clientChain = chain == null ? List.of() : chain;
        List<char[]> passphrases = config.passwordFile().isEmpty() ? List.of()
                : read("proxy_ssl_password_file", () -> PemFiles.passphrases(config.passwordFile().get()));
        PrivateKey privateKey = passphrases == null ? null
                : read("proxy_ssl_certificate_key", () -> PrivateKeys.read(key.get(), passphrases));
        if (chain != null) {
            warnDates("proxy_ssl_certificate", certificate.get(), chain, clock, "renew it");
        }
        if (privateKey != null) {
            readableByOthers("proxy_ssl_certificate_key", key.get());
            config.passwordFile().ifPresent(file -> readableByOthers("proxy_ssl_password_file", file));
        }
        if (chain == null || privateKey == null) {
            return null;
        }
        Boolean matches = read("proxy_ssl_certificate_key", () -> PrivateKeys.matches(privateKey, chain.get(0)));
        if (matches == null) {
            return null;
        }
        if (!matches) {
            error(sources.of("proxy_ssl_certificate_key"), "proxy_ssl_certificate_key", key.get()
                    + " does not match the certificate in " + certificate.get() + " (" + chain.get(0).getSubjectX500Principal()
                    + "): give the key that was issued with it");
            return null;
        }
        return new KeyManager[] {new ClientKeyManager(chain, privateKey)};
    }

    private TrustManager[] trustManagers(InstantSource clock) {
        List<X509Certificate> anchors = config.trustedCertificate().isEmpty() ? (config.verify() ? jdkDefaultCas() : List.of())
                : read("proxy_ssl_trusted_certificate", () -> PemFiles.certificates(config.trustedCertificate().get()));
        List<X509CRL> crls = config.crl().isEmpty() ? List.of()
                : read("proxy_ssl_crl", () -> PemFiles.crls(config.crl().get()));
        if (anchors != null && config.trustedCertificate().isPresent()) {
            warnDates("proxy_ssl_trusted_certificate", config.trustedCertificate().get(), anchors, clock, "replace it");
        }
        if (crls != null && config.crl().isPresent()) {
            TlsWarnings.crls(crls, config.crl().get(), sources.key("proxy_ssl_crl"), sources.of("proxy_ssl_crl"), problems,
                    clock.instant());
        }
        if (config.trustedCertificate().isPresent() && anchors != null) {
            trusted = anchors;
        }
        this.crls = crls == null ? List.of() : crls;
        if (!config.verify()) {
            problems.warn(sources.of("proxy_ssl_verify"), sources.key("proxy_ssl_verify"), "off: the upstream's certificate is not"
                    + " checked, so anyone on the path can pose as it; set proxy_ssl_verify = on (the default)");
            return new TrustManager[] {new AcceptAnyServer()};
        }
        if (anchors == null || crls == null) {
            return null;
        }
        // Only where they will be used: with proxy_ssl_verify off, NGINX does not load them either.
        if (config.trustedCertificate().isPresent() && config.crl().isPresent()) {
            CrlIssuers.check(anchors, config.trustedCertificate().get(), crls, config.crl().get(), sources.key("proxy_ssl_crl"),
                    sources.of("proxy_ssl_crl"), problems);
        }
        String anchorsName = config.trustedCertificate().isPresent() ? "a certificate in proxy_ssl_trusted_certificate"
                : "the JDK's default CAs";
        return new TrustManager[] {new VerifyingTrustManager(
                new UpstreamTrust(anchors, anchorsName, crls, config.verifyDepth(), clock), config.name())};
    }

    private void warnDates(String key, Path file, List<X509Certificate> certificates, InstantSource clock, String remedy) {
        TlsWarnings.dates(certificates, file, sources.key(key), sources.of(key), problems, clock.instant(), remedy);
    }

    private void readableByOthers(String key, Path file) {
        TlsWarnings.readableByOthers(file, sources.key(key), sources.of(key), problems);
    }

    private interface Loader<T> {
        T load() throws PemException;
    }

    private <T> T read(String key, Loader<T> loader) {
        try {
            return loader.load();
        } catch (PemException e) {
            error(sources.of(key), key, e.getMessage());
            return null;
        }
    }

    /** The JDK's CAs, or null when they cannot be read (a bad javax.net.ssl.trustStore, say): reported. */
    private List<X509Certificate> jdkDefaultCas() {
        try {
            return UpstreamTrust.jdkDefaultCas();
        } catch (GeneralSecurityException | RuntimeException e) {
            String key = "proxy_ssl_trusted_certificate";
            error(sources.of(key), key, "is not set, and the JDK's default CAs cannot be read ("
                    + oneLine(e) + "): set " + key + " or fix the javax.net.ssl.trustStore* system properties");
            return null;
        }
    }

    /** The JDK's default TLS context (its suites and defaults), or null when it cannot be made: reported. */
    private SSLContext defaultContext() {
        try {
            return SSLContext.getDefault();
        } catch (GeneralSecurityException | RuntimeException e) {
            error(sources.of("proxy_ssl"), "proxy_ssl", "the JDK's default TLS context cannot be created ("
                    + oneLine(e) + "): check the javax.net.ssl.* system properties and the JDK's java.security");
            return null;
        }
    }

    /** @param key the directive's name; the message names it as its line has it (server.NAME.KEY or KEY) */
    private void error(Location where, String key, String message) {
        failed = true;
        problems.add(where, sources.key(key), message);
    }

    private static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.toString() : root.getMessage();
        return message.replaceAll("\\s+", " ").strip();
    }

    private static List<String> tls13Defaults(SSLContext probe) {
        return Arrays.stream(probe.getDefaultSSLParameters().getCipherSuites())
                .filter(s -> s.startsWith("TLS_AES_") || s.startsWith("TLS_CHACHA20_")).toList();
    }
}
