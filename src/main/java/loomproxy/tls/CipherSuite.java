package loomproxy.tls;

import static java.util.Map.entry;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The TLS 1.2-and-older cipher suites that both the JDK and OpenSSL 3.0 implement: the one table that
 * cipher strings are evaluated over. Each row carries OpenSSL's name and the attributes OpenSSL's
 * cipher-string keywords select on (ssl/s3_lib.c; {@code openssl ciphers -v -stdname ALL:COMPLEMENTOFALL}
 * prints the same columns). The constant's name is the JSSE name, which is the IANA name except for the
 * SSLv3-era {@code SSL_} suites.
 *
 * <p>Suites the JDK implements but OpenSSL 3.0 does not are left out on purpose, so that a cipher string
 * never selects something NGINX would not: static ECDH (removed in OpenSSL 1.1.0), single DES and EXPORT
 * (1.1.0), RC4 (legacy provider only) and 3DES (compiled out by the default {@code no-weak-ssl-ciphers}).
 *
 * <p>Row order matters only for suites OpenSSL's ordering rules cannot tell apart (DHE-DSS vs DHE-RSA
 * with equal strength, say), and is that of {@code openssl ciphers ALL:COMPLEMENTOFALL}. OpenSSL starts
 * from s3_lib.c's array reversed; its preference rules (in {@link CipherStrings}) are stable sorts, and
 * they turn either starting order into the same one, so ties break here as they do in OpenSSL.
 */
enum CipherSuite {
    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384("ECDHE-ECDSA-AES256-GCM-SHA384", Kx.ECDHE, Au.ECDSA, Enc.AES256GCM, Mac.AEAD, Since.TLS1_2, true),
    TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384("ECDHE-RSA-AES256-GCM-SHA384", Kx.ECDHE, Au.RSA, Enc.AES256GCM, Mac.AEAD, Since.TLS1_2, true),
    TLS_DHE_DSS_WITH_AES_256_GCM_SHA384("DHE-DSS-AES256-GCM-SHA384", Kx.DHE, Au.DSS, Enc.AES256GCM, Mac.AEAD, Since.TLS1_2, false),
    TLS_DHE_RSA_WITH_AES_256_GCM_SHA384("DHE-RSA-AES256-GCM-SHA384", Kx.DHE, Au.RSA, Enc.AES256GCM, Mac.AEAD, Since.TLS1_2, true),
    TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256("ECDHE-ECDSA-CHACHA20-POLY1305", Kx.ECDHE, Au.ECDSA, Enc.CHACHA20POLY1305, Mac.AEAD, Since.TLS1_2, true),
    TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256("ECDHE-RSA-CHACHA20-POLY1305", Kx.ECDHE, Au.RSA, Enc.CHACHA20POLY1305, Mac.AEAD, Since.TLS1_2, true),
    TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256("DHE-RSA-CHACHA20-POLY1305", Kx.DHE, Au.RSA, Enc.CHACHA20POLY1305, Mac.AEAD, Since.TLS1_2, true),
    TLS_DH_anon_WITH_AES_256_GCM_SHA384("ADH-AES256-GCM-SHA384", Kx.DHE, Au.NULL, Enc.AES256GCM, Mac.AEAD, Since.TLS1_2, false),
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256("ECDHE-ECDSA-AES128-GCM-SHA256", Kx.ECDHE, Au.ECDSA, Enc.AES128GCM, Mac.AEAD, Since.TLS1_2, true),
    TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256("ECDHE-RSA-AES128-GCM-SHA256", Kx.ECDHE, Au.RSA, Enc.AES128GCM, Mac.AEAD, Since.TLS1_2, true),
    TLS_DHE_DSS_WITH_AES_128_GCM_SHA256("DHE-DSS-AES128-GCM-SHA256", Kx.DHE, Au.DSS, Enc.AES128GCM, Mac.AEAD, Since.TLS1_2, false),
    TLS_DHE_RSA_WITH_AES_128_GCM_SHA256("DHE-RSA-AES128-GCM-SHA256", Kx.DHE, Au.RSA, Enc.AES128GCM, Mac.AEAD, Since.TLS1_2, true),
    TLS_DH_anon_WITH_AES_128_GCM_SHA256("ADH-AES128-GCM-SHA256", Kx.DHE, Au.NULL, Enc.AES128GCM, Mac.AEAD, Since.TLS1_2, false),
    TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384("ECDHE-ECDSA-AES256-SHA384", Kx.ECDHE, Au.ECDSA, Enc.AES256, Mac.SHA384, Since.TLS1_2, true),
    TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384("ECDHE-RSA-AES256-SHA384", Kx.ECDHE, Au.RSA, Enc.AES256, Mac.SHA384, Since.TLS1_2, true),
    TLS_DHE_RSA_WITH_AES_256_CBC_SHA256("DHE-RSA-AES256-SHA256", Kx.DHE, Au.RSA, Enc.AES256, Mac.SHA256, Since.TLS1_2, true),
    TLS_DHE_DSS_WITH_AES_256_CBC_SHA256("DHE-DSS-AES256-SHA256", Kx.DHE, Au.DSS, Enc.AES256, Mac.SHA256, Since.TLS1_2, false),
    TLS_DH_anon_WITH_AES_256_CBC_SHA256("ADH-AES256-SHA256", Kx.DHE, Au.NULL, Enc.AES256, Mac.SHA256, Since.TLS1_2, false),
    TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256("ECDHE-ECDSA-AES128-SHA256", Kx.ECDHE, Au.ECDSA, Enc.AES128, Mac.SHA256, Since.TLS1_2, true),
    TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256("ECDHE-RSA-AES128-SHA256", Kx.ECDHE, Au.RSA, Enc.AES128, Mac.SHA256, Since.TLS1_2, true),
    TLS_DHE_RSA_WITH_AES_128_CBC_SHA256("DHE-RSA-AES128-SHA256", Kx.DHE, Au.RSA, Enc.AES128, Mac.SHA256, Since.TLS1_2, true),
    TLS_DHE_DSS_WITH_AES_128_CBC_SHA256("DHE-DSS-AES128-SHA256", Kx.DHE, Au.DSS, Enc.AES128, Mac.SHA256, Since.TLS1_2, false),
    TLS_DH_anon_WITH_AES_128_CBC_SHA256("ADH-AES128-SHA256", Kx.DHE, Au.NULL, Enc.AES128, Mac.SHA256, Since.TLS1_2, false),
    TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA("ECDHE-ECDSA-AES256-SHA", Kx.ECDHE, Au.ECDSA, Enc.AES256, Mac.SHA1, Since.TLS1, true),
    TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA("ECDHE-RSA-AES256-SHA", Kx.ECDHE, Au.RSA, Enc.AES256, Mac.SHA1, Since.TLS1, true),
    TLS_DHE_RSA_WITH_AES_256_CBC_SHA("DHE-RSA-AES256-SHA", Kx.DHE, Au.RSA, Enc.AES256, Mac.SHA1, Since.SSL3, true),
    TLS_DHE_DSS_WITH_AES_256_CBC_SHA("DHE-DSS-AES256-SHA", Kx.DHE, Au.DSS, Enc.AES256, Mac.SHA1, Since.SSL3, false),
    TLS_ECDH_anon_WITH_AES_256_CBC_SHA("AECDH-AES256-SHA", Kx.ECDHE, Au.NULL, Enc.AES256, Mac.SHA1, Since.TLS1, false),
    TLS_DH_anon_WITH_AES_256_CBC_SHA("ADH-AES256-SHA", Kx.DHE, Au.NULL, Enc.AES256, Mac.SHA1, Since.SSL3, false),
    TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA("ECDHE-ECDSA-AES128-SHA", Kx.ECDHE, Au.ECDSA, Enc.AES128, Mac.SHA1, Since.TLS1, true),
    TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA("ECDHE-RSA-AES128-SHA", Kx.ECDHE, Au.RSA, Enc.AES128, Mac.SHA1, Since.TLS1, true),
    TLS_DHE_RSA_WITH_AES_128_CBC_SHA("DHE-RSA-AES128-SHA", Kx.DHE, Au.RSA, Enc.AES128, Mac.SHA1, Since.SSL3, true),
    TLS_DHE_DSS_WITH_AES_128_CBC_SHA("DHE-DSS-AES128-SHA", Kx.DHE, Au.DSS, Enc.AES128, Mac.SHA1, Since.SSL3, false),
    TLS_ECDH_anon_WITH_AES_128_CBC_SHA("AECDH-AES128-SHA", Kx.ECDHE, Au.NULL, Enc.AES128, Mac.SHA1, Since.TLS1, false),
    TLS_DH_anon_WITH_AES_128_CBC_SHA("ADH-AES128-SHA", Kx.DHE, Au.NULL, Enc.AES128, Mac.SHA1, Since.SSL3, false),
    TLS_RSA_WITH_AES_256_GCM_SHA384("AES256-GCM-SHA384", Kx.RSA, Au.RSA, Enc.AES256GCM, Mac.AEAD, Since.TLS1_2, true),
    TLS_RSA_WITH_AES_128_GCM_SHA256("AES128-GCM-SHA256", Kx.RSA, Au.RSA, Enc.AES128GCM, Mac.AEAD, Since.TLS1_2, true),
    TLS_RSA_WITH_AES_256_CBC_SHA256("AES256-SHA256", Kx.RSA, Au.RSA, Enc.AES256, Mac.SHA256, Since.TLS1_2, true),
    TLS_RSA_WITH_AES_128_CBC_SHA256("AES128-SHA256", Kx.RSA, Au.RSA, Enc.AES128, Mac.SHA256, Since.TLS1_2, true),
    TLS_RSA_WITH_AES_256_CBC_SHA("AES256-SHA", Kx.RSA, Au.RSA, Enc.AES256, Mac.SHA1, Since.SSL3, true),
    TLS_RSA_WITH_AES_128_CBC_SHA("AES128-SHA", Kx.RSA, Au.RSA, Enc.AES128, Mac.SHA1, Since.SSL3, true),
    TLS_ECDHE_ECDSA_WITH_NULL_SHA("ECDHE-ECDSA-NULL-SHA", Kx.ECDHE, Au.ECDSA, Enc.NULL, Mac.SHA1, Since.TLS1, true),
    TLS_ECDHE_RSA_WITH_NULL_SHA("ECDHE-RSA-NULL-SHA", Kx.ECDHE, Au.RSA, Enc.NULL, Mac.SHA1, Since.TLS1, true),
    TLS_ECDH_anon_WITH_NULL_SHA("AECDH-NULL-SHA", Kx.ECDHE, Au.NULL, Enc.NULL, Mac.SHA1, Since.TLS1, true),
    TLS_RSA_WITH_NULL_SHA256("NULL-SHA256", Kx.RSA, Au.RSA, Enc.NULL, Mac.SHA256, Since.TLS1_2, true),
    SSL_RSA_WITH_NULL_SHA("NULL-SHA", Kx.RSA, Au.RSA, Enc.NULL, Mac.SHA1, Since.SSL3, true),
    SSL_RSA_WITH_NULL_MD5("NULL-MD5", Kx.RSA, Au.RSA, Enc.NULL, Mac.MD5, Since.SSL3, true);

    /** Key exchange (OpenSSL's algorithm_mkey). OTHER stands for the PSK, SRP and GOST kinds no JDK suite uses. */
    enum Kx { RSA, DHE, ECDHE, OTHER }

    /** Server authentication (algorithm_auth); NULL is anonymous. */
    enum Au { RSA, DSS, ECDSA, NULL, OTHER }

    /** Bulk cipher (algorithm_enc) with OpenSSL's strength_bits; OTHER covers CCM, ARIA, CAMELLIA, 3DES... */
    enum Enc {
        AES128(128), AES256(256), AES128GCM(128), AES256GCM(256), CHACHA20POLY1305(256), NULL(0), OTHER(0);

        final int bits;

        Enc(int bits) {
            this.bits = bits;
        }
    }

    /** Record MAC (algorithm_mac); AEAD suites have none. */
    enum Mac { MD5, SHA1, SHA256, SHA384, AEAD, OTHER }

    /** The oldest protocol version a suite works with (min_tls): what the SSLv3/TLSv1/TLSv1.2 keywords match. */
    enum Since { SSL3, TLS1, TLS1_2 }

    /** OpenSSL's strength classes (algo_strength & SSL_STRONG_MASK). */
    enum Strength { NONE, LOW, MEDIUM, HIGH, FIPS }

    final String openssl;
    final Kx kx;
    final Au au;
    final Enc enc;
    final Mac mac;
    final Since since;
    /** False where OpenSSL 3.0 sets SSL_NOT_DEFAULT (DSS and anonymous suites): what COMPLEMENTOFDEFAULT selects. */
    final boolean inDefault;
    final Set<Strength> strength;

    CipherSuite(String openssl, Kx kx, Au au, Enc enc, Mac mac, Since since, boolean inDefault) {
        this.openssl = openssl;
        this.kx = kx;
        this.au = au;
        this.enc = enc;
        this.mac = mac;
        this.since = since;
        this.inDefault = inDefault;
        this.strength = strengthOf(enc);
    }

    /**
     * s3_lib.c marks every AES suite {@code SSL_HIGH | SSL_FIPS}, ChaCha20 {@code SSL_HIGH} and the NULL
     * ciphers {@code SSL_STRONG_NONE}; no suite both OpenSSL 3.0 and the JDK have is LOW or MEDIUM.
     */
    private static Set<Strength> strengthOf(Enc enc) {
        return switch (enc) {
            case NULL -> Set.of(Strength.NONE);
            case CHACHA20POLY1305 -> Set.of(Strength.HIGH);
            default -> Set.of(Strength.HIGH, Strength.FIPS);
        };
    }

    /** The IANA name ({@code openssl ciphers -stdname}): JSSE kept the {@code SSL_} prefix for SSLv3 suites. */
    String ianaName() {
        return name().startsWith("SSL_") ? "TLS_" + name().substring(4) : name();
    }

    /** The suite with this JSSE or IANA name. */
    static Optional<CipherSuite> byStandardName(String name) {
        return Arrays.stream(values()).filter(s -> s.name().equals(name) || s.ianaName().equals(name)).findFirst();
    }

    /** The suite with this OpenSSL name (case-sensitive, as OpenSSL compares them). */
    static Optional<CipherSuite> byOpensslName(String name) {
        return Arrays.stream(values()).filter(s -> s.openssl.equals(name)).findFirst();
    }

    /**
     * What a cipher-string keyword selects: OpenSSL's alias masks (cipher_aliases[] in ssl/ssl_ciph.c).
     * An empty set means "any". Keywords joined with '+' narrow each other; when a narrowing leaves
     * nothing, OpenSSL ignores the whole element ({@link #and} is then empty).
     */
    record Pattern(Set<Kx> kx, Set<Au> au, Set<Enc> enc, Set<Mac> mac, Set<Strength> strength,
                   boolean notInDefault, Optional<Since> since, Optional<CipherSuite> suite) {
        static final Pattern ANY =
                new Pattern(Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), false, Optional.empty(), Optional.empty());

        /**
         * An explicit suite name: its own attributes and identity. Its protocol version is not part of the
         * pattern (ssl_cipher_process_rulestr), so {@code ECDHE-RSA-AES128-SHA+TLSv1} still matches it.
         */
        static Pattern of(CipherSuite s) {
            return new Pattern(Set.of(s.kx), Set.of(s.au), Set.of(s.enc), Set.of(s.mac), s.strength, !s.inDefault,
                    Optional.empty(), Optional.of(s));
        }

        Pattern kx(Kx... v) {
            return new Pattern(Set.of(v), au, enc, mac, strength, notInDefault, since, suite);
        }

        Pattern au(Au... v) {
            return new Pattern(kx, Set.of(v), enc, mac, strength, notInDefault, since, suite);
        }

        /** Every authentication but {@code v}, as OpenSSL's {@code ~SSL_aNULL} masks. */
        Pattern auOtherThan(Au v) {
            return new Pattern(kx, Set.copyOf(EnumSet.complementOf(EnumSet.of(v))), enc, mac, strength, notInDefault,
                    since, suite);
        }

        Pattern enc(Enc... v) {
            return new Pattern(kx, au, Set.of(v), mac, strength, notInDefault, since, suite);
        }

        /** Every bulk cipher but {@code v}, as OpenSSL's {@code ~SSL_eNULL} masks. */
        Pattern encOtherThan(Enc v) {
            return new Pattern(kx, au, Set.copyOf(EnumSet.complementOf(EnumSet.of(v))), mac, strength, notInDefault,
                    since, suite);
        }

        Pattern mac(Mac... v) {
            return new Pattern(kx, au, enc, Set.of(v), strength, notInDefault, since, suite);
        }

        Pattern strength(Strength... v) {
            return new Pattern(kx, au, enc, mac, Set.of(v), notInDefault, since, suite);
        }

        Pattern since(Since v) {
            return new Pattern(kx, au, enc, mac, strength, notInDefault, Optional.of(v), suite);
        }

        Pattern outsideDefault() {
            return new Pattern(kx, au, enc, mac, strength, true, since, suite);
        }

        boolean matches(CipherSuite s) {
            return suite.map(s::equals).orElse(true)
                    && (kx.isEmpty() || kx.contains(s.kx)) && (au.isEmpty() || au.contains(s.au))
                    && (enc.isEmpty() || enc.contains(s.enc)) && (mac.isEmpty() || mac.contains(s.mac))
                    && (strength.isEmpty() || !Collections.disjoint(strength, s.strength))
                    && (!notInDefault || !s.inDefault) && since.map(v -> v == s.since).orElse(true);
        }

        /** Both patterns at once ("kECDHE+AESGCM"), or empty when they exclude each other. */
        Optional<Pattern> and(Pattern o) {
            Set<Kx> k = narrow(kx, o.kx);
            Set<Au> a = narrow(au, o.au);
            Set<Enc> e = narrow(enc, o.enc);
            Set<Mac> m = narrow(mac, o.mac);
            Set<Strength> st = narrow(strength, o.strength);
            boolean versionsClash = since.isPresent() && o.since.isPresent() && since.get() != o.since.get();
            if (k == null || a == null || e == null || m == null || st == null || versionsClash) {
                return Optional.empty();
            }
            return Optional.of(new Pattern(k, a, e, m, st, notInDefault || o.notInDefault,
                    o.since.or(() -> since), o.suite.or(() -> suite)));
        }

        /** The intersection, where an empty set is "any"; null when two real constraints share nothing. */
        private static <E> Set<E> narrow(Set<E> a, Set<E> b) {
            if (a.isEmpty() || b.isEmpty()) {
                return a.isEmpty() ? b : a;
            }
            Set<E> both = new HashSet<>(a);
            both.retainAll(b);
            return both.isEmpty() ? null : Set.copyOf(both);
        }
    }

    private static final Pattern ANY = Pattern.ANY;

    /**
     * OpenSSL 3.0's cipher-string keywords (cipher_aliases[]). DEFAULT is not here: OpenSSL only honours
     * it at the very start of a string (see {@link CipherStrings}). Keywords for algorithms no JDK suite
     * uses (PSK, SRP, CAMELLIA, ARIA, CCM, 3DES) select nothing but are kept so that they narrow a '+'
     * combination, and count as known words, exactly as in OpenSSL.
     */
    static final Map<String, Pattern> KEYWORDS = Map.ofEntries(
            // ALL leaves out the NULL ciphers, which must be asked for by name: eNULL, NULL, COMPLEMENTOFALL
            entry("ALL", ANY.encOtherThan(Enc.NULL)),
            entry("COMPLEMENTOFALL", ANY.enc(Enc.NULL)),
            entry("COMPLEMENTOFDEFAULT", ANY.outsideDefault()),
            entry("kRSA", ANY.kx(Kx.RSA)), entry("RSA", ANY.kx(Kx.RSA).au(Au.RSA)),
            entry("kEDH", ANY.kx(Kx.DHE)), entry("kDHE", ANY.kx(Kx.DHE)), entry("DH", ANY.kx(Kx.DHE)),
            entry("kEECDH", ANY.kx(Kx.ECDHE)), entry("kECDHE", ANY.kx(Kx.ECDHE)), entry("ECDH", ANY.kx(Kx.ECDHE)),
            entry("EDH", ANY.kx(Kx.DHE).auOtherThan(Au.NULL)), entry("DHE", ANY.kx(Kx.DHE).auOtherThan(Au.NULL)),
            entry("EECDH", ANY.kx(Kx.ECDHE).auOtherThan(Au.NULL)), entry("ECDHE", ANY.kx(Kx.ECDHE).auOtherThan(Au.NULL)),
            entry("ADH", ANY.kx(Kx.DHE).au(Au.NULL)), entry("AECDH", ANY.kx(Kx.ECDHE).au(Au.NULL)),
            entry("aRSA", ANY.au(Au.RSA)), entry("aDSS", ANY.au(Au.DSS)), entry("DSS", ANY.au(Au.DSS)),
            entry("aNULL", ANY.au(Au.NULL)), entry("aECDSA", ANY.au(Au.ECDSA)), entry("ECDSA", ANY.au(Au.ECDSA)),
            entry("eNULL", ANY.enc(Enc.NULL)), entry("NULL", ANY.enc(Enc.NULL)),
            // OTHER stands in for the AES-CCM variants that the AES keywords also cover
            entry("AES128", ANY.enc(Enc.AES128, Enc.AES128GCM, Enc.OTHER)),
            entry("AES256", ANY.enc(Enc.AES256, Enc.AES256GCM, Enc.OTHER)),
            entry("AES", ANY.enc(Enc.AES128, Enc.AES256, Enc.AES128GCM, Enc.AES256GCM, Enc.OTHER)),
            entry("AESGCM", ANY.enc(Enc.AES128GCM, Enc.AES256GCM)),
            entry("CHACHA20", ANY.enc(Enc.CHACHA20POLY1305)),
            entry("CBC", ANY.enc(Enc.AES128, Enc.AES256, Enc.OTHER)),
            entry("MD5", ANY.mac(Mac.MD5)), entry("SHA1", ANY.mac(Mac.SHA1)), entry("SHA", ANY.mac(Mac.SHA1)),
            entry("SHA256", ANY.mac(Mac.SHA256)), entry("SHA384", ANY.mac(Mac.SHA384)),
            entry("SSLv3", ANY.since(Since.SSL3)), entry("TLSv1", ANY.since(Since.TLS1)),
            entry("TLSv1.0", ANY.since(Since.TLS1)), entry("TLSv1.2", ANY.since(Since.TLS1_2)),
            entry("LOW", ANY.strength(Strength.LOW)), entry("MEDIUM", ANY.strength(Strength.MEDIUM)),
            entry("HIGH", ANY.strength(Strength.HIGH)), entry("FIPS", ANY.encOtherThan(Enc.NULL).strength(Strength.FIPS)),
            entry("kPSK", ANY.kx(Kx.OTHER)), entry("kRSAPSK", ANY.kx(Kx.OTHER)), entry("kECDHEPSK", ANY.kx(Kx.OTHER)),
            entry("kDHEPSK", ANY.kx(Kx.OTHER)), entry("PSK", ANY.kx(Kx.OTHER)), entry("aPSK", ANY.au(Au.OTHER)),
            entry("kSRP", ANY.kx(Kx.OTHER)), entry("aSRP", ANY.au(Au.OTHER)), entry("SRP", ANY.kx(Kx.OTHER)),
            entry("3DES", ANY.enc(Enc.OTHER)), entry("AESCCM", ANY.enc(Enc.OTHER)), entry("AESCCM8", ANY.enc(Enc.OTHER)),
            entry("CAMELLIA", ANY.enc(Enc.OTHER)), entry("CAMELLIA128", ANY.enc(Enc.OTHER)),
            entry("CAMELLIA256", ANY.enc(Enc.OTHER)), entry("ARIA", ANY.enc(Enc.OTHER)),
            entry("ARIA128", ANY.enc(Enc.OTHER)), entry("ARIA256", ANY.enc(Enc.OTHER)),
            entry("ARIAGCM", ANY.enc(Enc.OTHER)));
}
