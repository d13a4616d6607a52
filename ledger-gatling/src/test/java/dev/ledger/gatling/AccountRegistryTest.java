package dev.ledger.gatling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AccountRegistryTest {

    @Test
    void noOtherAccountWhileAlone() {
        AccountRegistry registry = new AccountRegistry();
        assertNull(registry.randomOther("a"));
        registry.add("a");
        assertNull(registry.randomOther("a"));
        assertEquals("a", registry.randomOther("b"));
    }

    @Test
    void picksEveryOtherAccountAndNeverItself() {
        AccountRegistry registry = new AccountRegistry();
        for (int i = 0; i < 5; i++) {
            registry.add("id" + i);
        }
        Map<String, Integer> picks = new HashMap<>();
        for (int i = 0; i < 40_000; i++) {
            picks.merge(registry.randomOther("id2"), 1, Integer::sum);
        }
        assertEquals(4, picks.size(), picks.toString());
        assertFalse(picks.containsKey("id2"));
        // Uniform over the four others: 10000 each, give or take a few percent.
        picks.values().forEach(n -> assertTrue(n > 9_000 && n < 11_000, picks.toString()));
    }

    @Test
    void growsPastItsFirstArrayWhileBeingRead() throws Exception {
        AccountRegistry registry = new AccountRegistry();
        int writers = 4;
        int perWriter = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        try {
            Future<?> reader = pool.submit(() -> {
                // Every id counted by size() is there to pick: never a null past the first add.
                int seen;
                do {
                    seen = registry.size();
                    String other = registry.randomOther("nobody");
                    if (seen > 0) {
                        assertNotNull(other);
                    }
                } while (seen < writers * perWriter);
            });
            List<Future<?>> adds = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                adds.add(pool.submit(() -> {
                    for (int i = 0; i < perWriter; i++) {
                        registry.add(writer + "-" + i);
                    }
                }));
            }
            for (Future<?> add : adds) {
                add.get(30, TimeUnit.SECONDS);
            }
            reader.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(writers * perWriter, registry.size());
        assertNotEquals("0-0", registry.randomOther("0-0"));
    }
}
