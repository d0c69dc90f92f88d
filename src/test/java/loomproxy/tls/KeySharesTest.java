package loomproxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import loomproxy.config.HostPort;
import loomproxy.tls.KeyShares.Offer;
import org.junit.jupiter.api.Test;

class KeySharesTest {
    private static final HostPort A = new HostPort("a.example", 443);
    private static final HostPort B = new HostPort("b.example", 443);

    private static HandshakeFailure failure(String reason, boolean verification) {
        return new HandshakeFailure(reason, reason + ": test", verification, null);
    }

    @Test
    void aServerGetsOneShareOnlyAfterATls13HandshakeWithTheDefaults() {
        KeyShares shares = new KeyShares(true);
        assertEquals(Offer.DEFAULT, shares.offer(A));
        shares.succeeded(A, Offer.DEFAULT, "TLSv1.2");
        assertEquals(Offer.DEFAULT, shares.offer(A), "TLS 1.2 keeps the defaults: narrowing it could lose forward secrecy");
        shares.succeeded(A, Offer.DEFAULT, "TLSv1.3");
        assertEquals(Offer.ONE_SHARE, shares.offer(A));
        assertEquals(Offer.DEFAULT, shares.offer(B), "per server");
    }

    @Test
    void aFailedOneShareHandshakeGivesTheServerTheDefaultsForGoodAndAsksForARetry() {
        KeyShares shares = new KeyShares(true);
        shares.succeeded(A, Offer.DEFAULT, "TLSv1.3");

        assertTrue(shares.failed(A, Offer.ONE_SHARE, failure("cipher", false)));
        assertEquals(Offer.DEFAULT, shares.offer(A));
        shares.succeeded(A, Offer.DEFAULT, "TLSv1.3");
        assertEquals(Offer.DEFAULT, shares.offer(A), "no flapping between the two offers");
    }

    @Test
    void failuresThatOneShareCannotCauseAreNotRetried() {
        KeyShares shares = new KeyShares(true);
        shares.succeeded(A, Offer.DEFAULT, "TLSv1.3");
        assertFalse(shares.failed(A, Offer.ONE_SHARE, failure("untrusted", true)));
        assertFalse(shares.failed(A, Offer.ONE_SHARE, failure("handshake_timeout", false)));
        assertFalse(shares.failed(A, Offer.ONE_SHARE, failure("client_cert_rejected", false)));
        assertEquals(Offer.ONE_SHARE, shares.offer(A));
        assertFalse(shares.failed(A, Offer.DEFAULT, failure("cipher", false)), "the defaults have nothing to fall back to");
    }

    @Test
    void configuredGroupsOrNoTls13MeanTheDefaultsAlways() {
        KeyShares shares = new KeyShares(false);
        shares.succeeded(A, Offer.DEFAULT, "TLSv1.3");
        assertEquals(Offer.DEFAULT, shares.offer(A));
    }
}
