package cnnc.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(30)
class JsonTest {

    @Test
    void parsesEveryKindOfValue() {
        Object v = Json.parse(" {\"a\": [1, -2, 3.5, 1e3, -0.25E-1], \"b\": {\"c\": true, \"d\": false, \"e\": null},"
                + " \"s\": \"x\\\"y\\\\z\\/\\n\\t\\u00e9\\ud83d\\ude00\"} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(Arrays.asList(1L, -2L, 3.5, 1000.0, -0.025), m.get("a"));
        Map<?, ?> b = (Map<?, ?>) m.get("b");
        assertEquals(Boolean.TRUE, b.get("c"));
        assertEquals(Boolean.FALSE, b.get("d"));
        assertTrue(b.containsKey("e"));
        assertNull(b.get("e"));
        assertEquals("x\"y\\z/\n\té\uD83D\uDE00", m.get("s"));
    }

    @Test
    void keepsKeyOrderAndLargeIntegers() {
        Map<?, ?> m = (Map<?, ?>) Json.parse("{\"z\":1,\"a\":9223372036854775807,\"m\":18446744073709551615}");
        assertEquals(Arrays.asList("z", "a", "m"), List.copyOf(m.keySet()));
        assertEquals(Long.MAX_VALUE, m.get("a"));
        assertEquals(1.8446744073709552E19, m.get("m")); // beyond long: a double
    }

    @Test
    void emptyContainers() {
        assertEquals(Map.of(), Json.parse("{}"));
        assertEquals(List.of(), Json.parse("[ ]"));
    }

    @Test
    void refusesMalformedInput() {
        String[] bad = {"", "{", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "{a:1}", "01", "1.", "-", "1e", "tru",
            "\"abc", "\"\\x\"", "\"\\u12g4\"", "\"a\nb\"", "{\"a\":1}}", "[1 2]", "{\"a\":1,\"a\":2}", "nul"};
        for (String s : bad) {
            assertThrows(Json.JsonException.class, () -> Json.parse(s), s);
        }
    }

    @Test
    void errorsSayWhere() {
        Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.parse("{\"a\":1,\"a\":2}"));
        assertEquals("duplicate key \"a\" at offset 7", e.getMessage());
    }

    @Test
    void refusesAbsurdNesting() {
        String deep = "[".repeat(100) + "]".repeat(100);
        assertThrows(Json.JsonException.class, () -> Json.parse(deep));
    }

    @Test
    void writesCompactJsonWithEscapes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "q\"b\\n\n\u0001");
        m.put("i", new int[] {1, -2});
        m.put("l", new long[] {0, 1L << 40});
        m.put("d", 0.5);
        m.put("n", null);
        m.put("t", true);
        m.put("list", List.of("a", 3));
        assertEquals("{\"s\":\"q\\\"b\\\\n\\n\\u0001\",\"i\":[1,-2],\"l\":[0,1099511627776],\"d\":0.5,"
                + "\"n\":null,\"t\":true,\"list\":[\"a\",3]}", Json.write(m));
    }

    @Test
    void writeThenParseRoundTrips() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("weird \u00e9 \uD83D\uDE00 \t key", "value\r\n");
        m.put("nested", Map.of("x", List.of(1L, 2.5, false)));
        assertEquals(m, Json.parse(Json.write(m)));
    }

    @Test
    void refusesNonFiniteNumbers() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Json.write(List.of(Double.POSITIVE_INFINITY)));
    }
}
