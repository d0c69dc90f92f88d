package loomproxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class TicketSlotsTest {
    @Test
    void cacheHostsNameOnlyTheirServer() {
        assertEquals("backend1.example.com", TicketSlots.cacheHost("backend1.example.com", 0));
        assertEquals("backend1.example.com#7", TicketSlots.cacheHost("backend1.example.com", 7));
        assertEquals("backend1.example.com", TicketSlots.hostOf("backend1.example.com#7"));
        assertEquals("10.0.0.9", TicketSlots.hostOf(TicketSlots.cacheHost("10.0.0.9", 3)));
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
