package loomproxy.tls.pem;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import loomproxy.config.Printable;
import loomproxy.tls.der.Der;

/** The PEM files of the {@code proxy_ssl_*} directives: certificate chains, CRLs, passphrases. */
public final class PemFiles {
    /** OpenSSL's PEM_read_bio_X509_AUX, which NGINX uses, accepts all three labels. */
    private static final Set<String> CERTIFICATE_LABELS = Set.of("CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE");
    private static final String CRL_LABEL = "X509 CRL";

    private PemFiles() {}

    /** Certificates in file order (leaf first for a chain). At least one, else error. */
    public static List<X509Certificate> certificates(Path file) throws PemException {
        return certificates(Printable.escape(file.toString()), read(file));
    }

    /** {@link #certificates(Path)} of bytes already read; {@code file} names them in messages. */
    static List<X509Certificate> certificates(String file, byte[] content) throws PemException {
        List<Pem.Entry> blocks = blocks(file, content);
        List<X509Certificate> certificates = new ArrayList<>();
        for (Pem.Entry block : blocks) {
            if (CERTIFICATE_LABELS.contains(block.label())) {
                certificates.add(certificate(file, block, certificates.size() + 1));
            }
        }
        if (certificates.isEmpty()) {
            throw new PemException(file + " has no PEM certificate" + found(blocks)
                    + ": give a file with -----BEGIN CERTIFICATE----- blocks");
        }
        return List.copyOf(certificates);
    }

    /** CRLs in the file; at least one, else error. */
    public static List<X509CRL> crls(Path file) throws PemException {
        return crls(Printable.escape(file.toString()), read(file));
    }

    /** {@link #crls(Path)} of bytes already read; {@code file} names them in messages. */
    static List<X509CRL> crls(String file, byte[] content) throws PemException {
        List<Pem.Entry> blocks = blocks(file, content);
        List<X509CRL> crls = new ArrayList<>();
        for (Pem.Entry block : blocks) {
            if (block.label().equals(CRL_LABEL)) {
                crls.add(crl(file, block, crls.size() + 1));
            }
        }
        if (crls.isEmpty()) {
            throw new PemException(file + " has no PEM X509 CRL" + found(blocks)
                    + ": give a file with -----BEGIN X509 CRL----- blocks");
        }
        return List.copyOf(crls);
    }

    /**
     * proxy_ssl_password_file: one passphrase per line, tried in order (as NGINX's
     * ngx_ssl_read_password_file); a trailing CR is dropped and empty lines are skipped.
     */
    public static List<char[]> passphrases(Path file) throws PemException {
        return passphrases(Printable.escape(file.toString()), read(file));
    }

    /** {@link #passphrases(Path)} of bytes already read, which it wipes; {@code file} names them in messages. */
    static List<char[]> passphrases(String file, byte[] bytes) throws PemException {
        CharBuffer text = utf8(file, bytes);
        Arrays.fill(bytes, (byte) 0);
        List<char[]> passphrases = nonEmptyLines(text);
        wipe(text);
        if (passphrases.isEmpty()) {
            throw new PemException(file + " has no passphrase: write the key's passphrase on the first line");
        }
        return List.copyOf(passphrases);
    }

    /** The lines of {@code text} without their LF or CRLF, empty ones left out. */
    private static List<char[]> nonEmptyLines(CharBuffer text) {
        List<char[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= text.limit(); i++) {
            if (i == text.limit() || text.get(i) == '\n') {
                int end = i > start && text.get(i - 1) == '\r' ? i - 1 : i;
                if (end > start) {
                    char[] line = new char[end - start];
                    text.get(start, line);
                    lines.add(line);
                }
                start = i + 1;
            }
        }
        return lines;
    }

    /** The PEM blocks of a file's bytes, for every loader here and for {@link PrivateKeys}. */
    static List<Pem.Entry> blocks(String file, byte[] content) throws PemException {
        // ISO-8859-1 maps every byte to a char, so text around the blocks never fails to decode.
        return Pem.parse(file, new String(content, StandardCharsets.ISO_8859_1));
    }

    static byte[] read(Path file) throws PemException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new PemException("cannot read " + Printable.escape(file.toString()) + ": " + reason(e), e);
        }
    }

    /** The OS reason in its usual words: the JDK's file exceptions carry only the path. */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return oneLine(e);
    }

    /** An exception's message on one line, for the one-line errors every loader reports. */
    static String oneLine(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** " (found CERTIFICATE, RSA PRIVATE KEY)" — what the file held instead, to spot a swapped path. */
    static String found(List<Pem.Entry> blocks) {
        if (blocks.isEmpty()) {
            return " (found no PEM block)";
        }
        Set<String> labels = new TreeSet<>();
        blocks.forEach(block -> labels.add(Printable.escape(block.label())));
        return " (found " + String.join(", ", labels) + ")";
    }

    private static X509Certificate certificate(String file, Pem.Entry block, int number) throws PemException {
        checkNesting(file, "certificate " + number, block.der());
        try {
            return (X509Certificate) x509().generateCertificate(new ByteArrayInputStream(block.der()));
        } catch (CertificateException e) {
            throw new PemException(String.format("%s: certificate %d is not valid DER (%s): export it again",
                    file, number, oneLine(e)), e);
        }
    }

    private static X509CRL crl(String file, Pem.Entry block, int number) throws PemException {
        checkNesting(file, "CRL " + number, block.der());
        try {
            return (X509CRL) x509().generateCRL(new ByteArrayInputStream(block.der()));
        } catch (GeneralSecurityException e) {
            throw new PemException(String.format("%s: CRL %d is not valid DER (%s): export it again",
                    file, number, oneLine(e)), e);
        }
    }

    /** See {@link Der#checkNesting}: nesting the JDK must not be given. */
    private static void checkNesting(String file, String what, byte[] der) throws PemException {
        try {
            Der.checkNesting(der);
        } catch (Der.Malformed e) {
            throw new PemException(String.format("%s: %s is not valid DER (%s): export it again", file, what, e.getMessage()), e);
        }
    }

    private static CertificateFactory x509() throws CertificateException {
        // Every JDK must provide X.509 (java.security.cert.CertificateFactory class documentation).
        return CertificateFactory.getInstance("X.509");
    }

    private static CharBuffer utf8(String file, byte[] bytes) throws PemException {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException e) {
            throw new PemException(file + " is not UTF-8 text: save the passphrases as UTF-8, one per line", e);
        }
    }

    private static void wipe(CharBuffer text) {
        text.clear();
        while (text.hasRemaining()) {
            text.put('\0');
        }
    }
}
