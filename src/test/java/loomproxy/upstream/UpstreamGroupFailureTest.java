package loomproxy.upstream;

import static loomproxy.upstream.Groups.group;
import static loomproxy.upstream.Groups.pickOpen;
import static loomproxy.upstream.Groups.picks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Passive failure accounting as NGINX's free_round_robin_peer: max_fails, fail_timeout, recovery. */
class UpstreamGroupFailureTest {
    private static final String DISABLED_A = "a:80";

    private final TestClock clock = new TestClock();
    /** The servers a failure took out (release returned true), in order: the caller logs each. */
    private final List<String> disabled = new ArrayList<>();

    private void fail(UpstreamGroup g, Peer peer) {
        if (g.release(peer, true)) {
            disabled.add(peer.toString());
        }
    }

    @Test
    void failedServerIsSkippedForFailTimeoutThenProbed() {
        UpstreamGroup g = group(clock, "a fail_timeout=10", "b");
        Peer a = pickOpen(g, Set.of(), "a");
        fail(g, a);
        assertEquals(List.of(DISABLED_A), disabled);
        assertEquals(0, a.effectiveWeight, "weight 1 - weight/max_fails 1, never below 0");
        assertEquals("b b b", picks(g, 3));
        clock.advance(Duration.ofSeconds(10));
        assertEquals("b", picks(g, 1), "NGINX skips while now - checked <= fail_timeout");
        clock.advance(Duration.ofSeconds(1));
        // effective_weight climbs back from 0 by one per pick, so the probe comes on the third pick.
        assertEquals("b b a", picks(g, 3));
    }

    @Test
    void failedProbeDisablesForAnotherFailTimeout() {
        UpstreamGroup g = group(clock, "a fail_timeout=10", "b");
        Peer a = pickOpen(g, Set.of(), "a");
        fail(g, a);
        Peer b = pickOpen(g, Set.of(), "b");
        g.release(b, false);
        clock.advance(Duration.ofSeconds(11));
        fail(g, pickOpen(g, Set.of(b), "a"));
        assertEquals(List.of(DISABLED_A, DISABLED_A), disabled);
        clock.advance(Duration.ofSeconds(10));
        assertEquals("b b b b", picks(g, 4));
    }

    @Test
    void maxFailsZeroNeverMarksFailed() {
        UpstreamGroup g = group(clock, "a max_fails=0", "b max_fails=0");
        for (int i = 0; i < 6; i++) {
            fail(g, g.pick(Set.of()).orElseThrow());
        }
        assertEquals("a b a b", picks(g, 4));
        assertEquals(List.of(), disabled);
    }

    @Test
    void successAfterANewCheckClearsFails() {
        UpstreamGroup g = group(clock, "a max_fails=2", "b");
        Peer a = pickOpen(g, Set.of(), "a");
        Peer b = pickOpen(g, Set.of(), "b");
        g.release(b, false);
        fail(g, a);
        clock.advance(Duration.ofSeconds(11));
        g.release(pickOpen(g, Set.of(b), "a"), false);
        assertEquals(0, a.fails, "picked after fail_timeout: checked moved past accessed");
        fail(g, pickOpen(g, Set.of(b), "a"));
        assertEquals(1, a.fails);
        assertEquals(List.of(), disabled);
    }

    @Test
    void successInsideTheWindowDoesNotClearFails() {
        UpstreamGroup g = group(clock, "a max_fails=2", "b");
        Peer a = pickOpen(g, Set.of(), "a");
        Peer b = pickOpen(g, Set.of(), "b");
        g.release(b, false);
        fail(g, a);
        clock.advance(Duration.ofSeconds(5));
        g.release(pickOpen(g, Set.of(b), "a"), false);
        assertEquals(1, a.fails, "NGINX clears fails only when accessed < checked");
        fail(g, pickOpen(g, Set.of(b), "a"));
        assertEquals(List.of(DISABLED_A), disabled);
        assertEquals("b b b", picks(g, 3));
    }

    /**
     * NGINX since 1.11.5: with every server failed, sessions get "no live upstreams" until a
     * fail_timeout has passed, then one session tries a server again (before 1.11.5 every
     * server's fails were cleared at once, so every other session tried all of them).
     */
    @Test
    void allServersFailedGiveNothingUntilFailTimeoutPasses() {
        UpstreamGroup g = group(clock, "a", "b", "z backup");
        fail(g, pickOpen(g, Set.of(), "a"));
        fail(g, pickOpen(g, Set.of(), "b"));
        fail(g, pickOpen(g, Set.of(), "z"));
        assertEquals(3, disabled.size());
        for (int i = 0; i < 5; i++) {
            assertTrue(g.pick(Set.of()).isEmpty(), "no live upstreams");
            clock.advance(Duration.ofSeconds(2));
        }
        clock.advance(Duration.ofSeconds(1)); // 11 s after the failures: past the default fail_timeout of 10 s
        assertFalse(g.pick(Set.of()).orElseThrow().backup(), "one session tries a primary again");
    }

    @Test
    void singleServerGroupIsNeverDisabled() {
        UpstreamGroup g = group(clock, "a max_fails=1");
        for (int i = 0; i < 5; i++) {
            Peer a = pickOpen(g, Set.of(), "a");
            fail(g, a);
            assertEquals(0, a.fails);
        }
        assertEquals(List.of(), disabled);
        assertTrue(g.pick(Set.of(pickOpen(g, Set.of(), "a"))).isEmpty(), "tried once: no second try");
    }

    @Test
    void effectiveWeightDropsByWeightOverMaxFailsAndRecoversByOnePerPick() {
        UpstreamGroup g = group(clock, "a weight=4 max_fails=2", "b weight=4");
        Peer a = pickOpen(g, Set.of(), "a");
        fail(g, a);
        assertEquals(2, a.effectiveWeight);
        picks(g, 1);
        assertEquals(3, a.effectiveWeight);
        picks(g, 1);
        assertEquals(4, a.effectiveWeight);
        picks(g, 1);
        assertEquals(4, a.effectiveWeight, "never above weight");
        assertEquals(List.of(), disabled);
    }
}
