package loomproxy.cli;

import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.*;

class MainTest {
    @Test void runsOn21() { assertTrue(Runtime.version().feature() >= 21, Runtime.version().toString()); }
}
