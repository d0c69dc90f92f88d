package loomproxy.upstream;

import static loomproxy.upstream.Groups.group;
import static loomproxy.upstream.Groups.pickOpen;
import static loomproxy.upstream.Groups.picks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Passive failure accounting as NGINX's free_round_robin_peer: max_fails, fail_timeout, recovery. */
class UpstreamGroupFailureTest {
    private static final String DISABLED_A =
            "WARNING upstream server temporarily disabled while connecting to upstream, upstream: \"a:80\"";

    private final TestClock clock = new TestClock();
    private final RecordingLogger log = new RecordingLogger();

    @Test
    void failedServerIsSkippedForFailTimeoutThenProbed() {
        UpstreamGroup g = group(clock, log, "a fail_timeout=10", "b");
        Peer a = pickOpen(g, Set.of(), "a");
        g.release(a, true);
        assertEquals(List.of(DISABLED_A), log.lines());
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
        UpstreamGroup g = group(clock, log, "a fail_timeout=10", "b");
        Peer a = pickOpen(g, Set.of(), "a");
        g.release(a, true);
        Peer b = pickOpen(g, Set.of(), "b");
        g.release(b, false);
        clock.advance(Duration.ofSeconds(11));
        g.release(pickOpen(g, Set.of(b), "a"), true);
        assertEquals(List.of(DISABLED_A, DISABLED_A), log.lines());
        clock.advance(Duration.ofSeconds(10));
        assertEquals("b b b b", picks(g, 4));
    }

    @Test
    void maxFailsZeroNeverMarksFailed() {
        UpstreamGroup g = group(clock, log, "a max_fails=0", "b max_fails=0");
        for (int i = 0; i < 6; i++) {
            g.release(g.pick(Set.of()).orElseThrow(), true);
        }
        assertEquals("a b a b", picks(g, 4));
        assertEquals(List.of(), log.lines());
    }

    @Test
    void successAfterANewCheckClearsFails() {
        UpstreamGroup g = group(clock, log, "a max_fails=2", "b");
        Peer a = pickOpen(g, Set.of(), "a");
        Peer b = pickOpen(g, Set.of(), "b");
        g.release(b, false);
        g.release(a, true);
        clock.advance(Duration.ofSeconds(11));
        g.release(pickOpen(g, Set.of(b), "a"), false);
        assertEquals(0, a.fails, "picked after fail_timeout: checked moved past accessed");
        g.release(pickOpen(g, Set.of(b), "a"), true);
        assertEquals(1, a.fails);
        assertEquals(List.of(), log.lines());
    }

    @Test
    void successInsideTheWindowDoesNotClearFails() {
        UpstreamGroup g = group(clock, log, "a max_fails=2", "b");
        Peer a = pickOpen(g, Set.of(), "a");
        Peer b = pickOpen(g, Set.of(), "b");
        g.release(b, false);
        g.release(a, true);
        clock.advance(Duration.ofSeconds(5));
        g.release(pickOpen(g, Set.of(b), "a"), false);
        assertEquals(1, a.fails, "NGINX clears fails only when accessed < checked");
        g.release(pickOpen(g, Set.of(b), "a"), true);
        assertEquals(List.of(DISABLED_A), log.lines());
        assertEquals("b b b", picks(g, 3));
    }

    /**
     * NGINX since 1.11.5: with every server failed, sessions get "no live upstreams" until a
     * fail_timeout has passed, then one session tries a server again (before 1.11.5 every
     * server's fails were cleared at once, so every other session tried all of them).
     */
    @Test
    void allServersFailedGiveNothingUntilFailTimeoutPasses() {
        UpstreamGroup g = group(clock, log, "a", "b", "z backup");
        g.release(pickOpen(g, Set.of(), "a"), true);
        g.release(pickOpen(g, Set.of(), "b"), true);
        g.release(pickOpen(g, Set.of(), "z"), true);
        assertEquals(3, log.lines().size());
        for (int i = 0; i < 5; i++) {
            assertTrue(g.pick(Set.of()).isEmpty(), "no live upstreams");
            clock.advance(Duration.ofSeconds(2));
        }
        clock.advance(Duration.ofSeconds(1)); // 11 s after the failures: past the default fail_timeout of 10 s
        assertFalse(g.pick(Set.of()).orElseThrow().backup(), "one session tries a primary again");
    }

    @Test
    void singleServerGroupIsNeverDisabled() {
        UpstreamGroup g = group(clock, log, "a max_fails=1");
        for (int i = 0; i < 5; i++) {
            Peer a = pickOpen(g, Set.of(), "a");
            g.release(a, true);
            assertEquals(0, a.fails);
        }
        assertEquals(List.of(), log.lines());
        assertTrue(g.pick(Set.of(pickOpen(g, Set.of(), "a"))).isEmpty(), "tried once: no second try");
    }

    @Test
    void effectiveWeightDropsByWeightOverMaxFailsAndRecoversByOnePerPick() {
        UpstreamGroup g = group(clock, log, "a weight=4 max_fails=2", "b weight=4");
        Peer a = pickOpen(g, Set.of(), "a");
        g.release(a, true);
        assertEquals(2, a.effectiveWeight);
        picks(g, 1);
        assertEquals(3, a.effectiveWeight);
        picks(g, 1);
        assertEquals(4, a.effectiveWeight);
        picks(g, 1);
        assertEquals(4, a.effectiveWeight, "never above weight");
        assertEquals(List.of(), log.lines());
    }
}
