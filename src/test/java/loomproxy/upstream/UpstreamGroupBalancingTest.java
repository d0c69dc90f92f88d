package loomproxy.upstream;

import static loomproxy.upstream.Groups.group;
import static loomproxy.upstream.Groups.pickOpen;
import static loomproxy.upstream.Groups.picks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;

import org.junit.jupiter.api.Test;

/** Smooth weighted round robin, down, backup, max_conns and the tried set, as NGINX's stream module. */
class UpstreamGroupBalancingTest {
    private final TestClock clock = new TestClock();

    @Test
    void weights511GiveNginxSmoothSequence() {
        UpstreamGroup g = group(clock, "a weight=5", "b", "c");
        assertEquals("a a b a c a a", picks(g, 7));
        assertEquals("a a b a c a a", picks(g, 7));
    }

    @Test
    void equalWeightsAlternateStartingWithTheFirst() {
        assertEquals("a b c a b c a", picks(group(clock, "a", "b", "c"), 7));
    }

    /**
     * The largest weights the configuration accepts: their sum overflowed the int arithmetic of
     * current_weight (NGINX keeps it in a 64-bit ngx_int_t), and "a" was picked twice in a row.
     */
    @Test
    void largestWeightsStillAlternate() {
        String max = " weight=" + Integer.MAX_VALUE;
        assertEquals("a b a b", picks(group(clock, "a" + max, "b" + max), 4));
        assertEquals("a a b a c a a", picks(group(clock, "a weight=2147483645", "b weight=429496729",
                "c weight=429496729"), 7));
    }

    @Test
    void downServerIsNeverPicked() {
        assertEquals("a c a c a c", picks(group(clock, "a", "b down", "c"), 6));
    }

    @Test
    void backupIsNotUsedWhilePrimariesAreUsable() {
        assertEquals("a p a p a p", picks(group(clock, "a", "p", "z backup"), 6));
    }

    @Test
    void backupIsUsedWhenEveryPrimaryIsDown() {
        assertEquals("y z y z", picks(group(clock, "a down", "b down", "y backup", "z backup"), 4));
    }

    @Test
    void backupIsUsedWhilePrimaryIsFullAndPrimaryReturnsWhenFreed() {
        UpstreamGroup g = group(clock, "a max_conns=1", "z backup");
        Peer a = pickOpen(g, Set.of(), "a");
        Peer z = pickOpen(g, Set.of(), "z");
        g.release(a, false);
        g.release(z, false);
        assertEquals("a", picks(g, 1));
    }

    @Test
    void backupIsUsedWhilePrimaryIsFailed() {
        UpstreamGroup g = group(clock, "a", "z backup");
        g.release(pickOpen(g, Set.of(), "a"), true);
        assertEquals("z z", picks(g, 2));
    }

    @Test
    void maxConnsIsRespectedAndFreedByRelease() {
        UpstreamGroup g = group(clock, "a max_conns=2", "b max_conns=1");
        Peer a1 = pickOpen(g, Set.of(), "a");
        pickOpen(g, Set.of(), "b");
        pickOpen(g, Set.of(), "a");
        assertEquals(2, a1.conns);
        assertTrue(g.pick(Set.of()).isEmpty(), "every server is at max_conns");
        g.release(a1, false);
        assertEquals(1, a1.conns);
        pickOpen(g, Set.of(), "a");
    }

    @Test
    void triedServersAreNotPickedAgain() {
        UpstreamGroup g = group(clock, "a", "b", "c");
        Peer a = pickOpen(g, Set.of(), "a");
        g.release(a, true);
        Peer b = pickOpen(g, Set.of(a), "b");
        g.release(b, true);
        Peer c = pickOpen(g, Set.of(a, b), "c");
        g.release(c, true);
        assertTrue(g.pick(Set.of(a, b, c)).isEmpty());
    }

    @Test
    void sessionOnBackupsStaysOnBackupsAsNginxRrpPeers() {
        UpstreamGroup g = group(clock, "a max_conns=1", "y backup", "z backup");
        Peer a = pickOpen(g, Set.of(), "a");
        Peer y = pickOpen(g, Set.of(), "y");
        g.release(a, false);
        g.release(y, true);
        pickOpen(g, Set.of(y), "z");
    }

    @Test
    void serversCountsPrimaryAndBackupAsNginxTries() {
        UpstreamGroup g = group(clock, "a", "b down", "y backup");
        assertEquals(3, g.servers());
        assertEquals("backend", g.name());
    }

    @Test
    void releaseWithoutPickIsRefused() {
        UpstreamGroup g = group(clock, "a", "b");
        Peer a = pickOpen(g, Set.of(), "a");
        g.release(a, false);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.release(a, false));
        assertEquals("upstream backend: a:80 released more often than picked", e.getMessage());
        assertEquals(0, a.conns);
    }

    @Test
    void releaseOfAnotherGroupsServerIsRefused() {
        Peer other = pickOpen(group(clock, "a"), Set.of(), "a");
        UpstreamGroup g = group(clock, "a");
        assertThrows(IllegalArgumentException.class, () -> g.release(other, false));
        assertEquals(1, other.conns);
    }

    @Test
    void groupOfOnlyBackupsIsRefusedWithItsLocation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> group(clock, "y backup"));
        assertEquals("test.conf:3: upstream.backend: no servers in upstream: add at least one server without backup",
                e.getMessage());
    }
}
