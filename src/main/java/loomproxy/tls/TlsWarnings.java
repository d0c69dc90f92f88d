package loomproxy.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.security.auth.x500.X500Principal;
import loomproxy.config.Location;
import loomproxy.config.Problems;

/**
 * What {@code --check} and a start warn about in the TLS files (SPEC §1): certificates that expire
 * within {@link #SOON} or are outside their validity, CRLs that no longer count, and private keys
 * other users can read. None of these stops a start — an expired client certificate may still be
 * accepted by a lax upstream, a key may be readable on purpose — but each fails or exposes
 * something later, when nobody is looking, so the operator is told now.
 */
final class TlsWarnings {
    /** How far ahead an expiry is announced: a month leaves time to renew through any process. */
    static final Duration SOON = Duration.ofDays(30);

    private TlsWarnings() {}

    /**
     * @param remedy what to do with a certificate whose time is up: "renew it" (the client chain),
     *               "replace it" (a trusted certificate)
     */
    static void dates(List<X509Certificate> certificates, Path file, String key, Location where, Problems problems,
                      Instant now, String remedy) {
        for (X509Certificate cert : certificates) {
            String which = cert.getSubjectX500Principal().getName() + " in " + file;
            Instant notBefore = cert.getNotBefore().toInstant();
            Instant notAfter = cert.getNotAfter().toInstant();
            if (now.isBefore(notBefore)) {
                problems.warn(where, key, which + " is not valid before " + notBefore
                        + ": check the system clock, or " + remedy);
            } else if (!now.isBefore(notAfter)) {
                problems.warn(where, key, which + " expired on " + notAfter + ": " + remedy);
            } else if (Duration.between(now, notAfter).compareTo(SOON) < 0) {
                problems.warn(where, key, which + " expires " + within(Duration.between(now, notAfter)) + ", on "
                        + notAfter + ": " + remedy + " before then");
            }
        }
    }

    private static String within(Duration left) {
        long days = left.toDays();
        return days == 0 ? "within a day" : "in " + days + (days == 1 ? " day" : " days");
    }

    /**
     * A CA whose newest CRL in the file is not current fails every verification through it with
     * reason {@code crl} (the rule of {@code proxy_ssl_crl}: every CA of a path needs a current CRL).
     */
    /** @param key proxy_ssl_crl as its line has it */
    static void crls(List<X509CRL> crls, Path file, String key, Location where, Problems problems, Instant now) {
        Map<X500Principal, X509CRL> newest = crls.stream().collect(Collectors.toMap(X509CRL::getIssuerX500Principal,
                crl -> crl, (a, b) -> a.getThisUpdate().after(b.getThisUpdate()) ? a : b));
        newest.values().stream().sorted(Comparator.comparing(crl -> crl.getIssuerX500Principal().getName())).forEach(crl -> {
            String which = "the CRL of " + crl.getIssuerX500Principal().getName() + " in " + file;
            String fails = "upstreams whose chain has that CA fail verification with reason crl";
            Instant thisUpdate = crl.getThisUpdate().toInstant();
            if (now.isBefore(thisUpdate)) {
                problems.warn(where, key, which + " is not valid before " + thisUpdate + ", and until then "
                        + fails + ": check the system clock");
            } else if (crl.getNextUpdate() == null) {
                problems.warn(where, key, which + " has no nextUpdate, so " + fails + ": use a CRL with a nextUpdate");
            } else if (!now.isBefore(crl.getNextUpdate().toInstant())) {
                problems.warn(where, key, which + " is past its nextUpdate (" + crl.getNextUpdate().toInstant()
                        + "), so " + fails + ": fetch a current CRL");
            }
        });
    }

    /**
     * A private key (or the passphrases for one) that every user may read. Group-readable is how a
     * service reads a root-owned key (INSTALL.md: root:loomproxy 0640), so only "others" is said.
     * Only where the file system has POSIX permissions; elsewhere nothing is said.
     */
    static void readableByOthers(Path file, String key, Location where, Problems problems) {
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException | IOException e) {
            return; // not POSIX, or gone since it was read: the read itself reported what matters
        }
        if (permissions.contains(PosixFilePermission.OTHERS_READ)) {
            problems.warn(where, key, file + " is readable by every user (" + PosixFilePermissions.toString(permissions)
                    + "): let only its owner and the service's group read it, chmod o-r " + file);
        }
    }
}
