package loomproxy.testkit;

import java.nio.file.Path;
import java.security.PrivateKey;

/** A private key, its unencrypted PKCS#8 PEM file, and a CSR for it that {@code openssl ca -subj} re-subjects. */
record KeyMaterial(PrivateKey key, Path pem, Path csr) {}
