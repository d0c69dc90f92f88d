package loomproxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import loomproxy.testkit.JsonReader;
import org.junit.jupiter.api.Test;

/** The status page's JSON writer: commas, nesting and RFC 8259 §7 string escapes. */
class JsonTest {
    @Test
    void nestingAndCommas() {
        String json = new Json().beginObject()
                .name("a").value(1)
                .name("b").beginArray().value("x").beginObject().endObject().beginArray().endArray().nullValue().endArray()
                .name("c").beginObject().name("d").value(true).name("e").value((String) null).endObject()
                .endObject().toString();
        assertEquals("{\"a\":1,\"b\":[\"x\",{},[],null],\"c\":{\"d\":true,\"e\":null}}", json);
        assertEquals(Map.of("d", true), Map.of("d", JsonReader.at(JsonReader.parse(json), "c", "d")));
    }

    @Test
    void everyStringBecomesValidJson() {
        String nasty = "quote \" backslash \\ slash / nl \n cr \r tab \t bell \u0007 nul \u0000 del \u007f é 😀"
                + " lone \ud800 high, lone \udc00 low";
        String json = new Json().beginArray().value(nasty).endArray().toString();
        assertEquals("[\"quote \\\" backslash \\\\ slash / nl \\n cr \\r tab \\t bell \\u0007 nul \\u0000 del \u007f é 😀"
                + " lone \\ud800 high, lone \\udc00 low\"]", json);
        assertEquals(List.of(nasty), JsonReader.parse(json));
    }
}
