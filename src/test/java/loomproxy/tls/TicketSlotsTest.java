package loomproxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import loomproxy.config.HostPort;
import org.junit.jupiter.api.Test;

class TicketSlotsTest {
    @Test
    void cacheHostsNameOnlyTheirServer() {
        HostPort named = new HostPort("backend1.example.com", 443);
        assertEquals("backend1.example.com", TicketSlots.cacheHost(new TicketSlots.Key("backend1.example.com", named), 0));
        assertEquals("backend1.example.com#7", TicketSlots.cacheHost(new TicketSlots.Key("backend1.example.com", named), 7));
        assertEquals("backend1.example.com", TicketSlots.hostOf("backend1.example.com#7"));
        HostPort ip = new HostPort("10.0.0.9", 443);
        assertEquals("10.0.0.9", TicketSlots.hostOf(TicketSlots.cacheHost(new TicketSlots.Key("10.0.0.9", ip), 3)));
        // Each address of a name is a server of its own (SPEC §11): its own key, the name still recovered.
        TicketSlots.Key first = new TicketSlots.Key("backend1.example.com", ip);
        TicketSlots.Key second = new TicketSlots.Key("backend1.example.com", new HostPort("10.0.0.10", 443));
        assertEquals("backend1.example.com#10.0.0.9", TicketSlots.cacheHost(first, 0));
        assertEquals("backend1.example.com#10.0.0.10#3", TicketSlots.cacheHost(second, 3));
        assertEquals("backend1.example.com", TicketSlots.hostOf(TicketSlots.cacheHost(second, 3)));
        assertNull(TicketSlots.hostOf(null));
    }

    @Test
    void busySlotsAreNotSharedAndReturnedOnesAreReusedNewestFirst() {
        TicketSlots slots = new TicketSlots();
        assertEquals(0, slots.take());
        assertEquals(1, slots.take());
        assertEquals(2, slots.take());
        slots.give(0);
        slots.give(2);
        slots.give(2);
        assertEquals(2, slots.take());
        assertEquals(0, slots.take());
        assertEquals(3, slots.take());
    }

    @Test
    void beyondTheLimitSlotsAreShared() {
        TicketSlots slots = new TicketSlots();
        for (int i = 0; i < TicketSlots.MAX; i++) {
            assertEquals(i, slots.take());
        }
        assertEquals(0, slots.take());
        assertEquals(1, slots.take());
    }
}
