package dev.ledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.lang.module.ModuleDescriptor;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The public API is what the module exports: the API, the port and the in-memory store to everyone, the internal
 * package to the ledger's PostgreSQL store only. (The tests run on the module path, inside the module: were they on the
 * class path, the module would be unnamed and have no descriptor.)
 */
class ModuleBoundaryTest {
    @Test
    void module_onTheModulePath_exportsTheApiAndInternalOnlyToTheStore() {
        Module module = Ledger.class.getModule();
        ModuleDescriptor descriptor = module.getDescriptor();
        assertNotNull(descriptor, "ledger-core runs as a named module");
        assertEquals("dev.ledger.core", module.getName());
        Map<String, Set<String>> exports = new TreeMap<>();
        for (ModuleDescriptor.Exports e : descriptor.exports()) {
            exports.put(e.source(), e.targets());
        }
        assertEquals(
                Map.of(
                        "dev.ledger.core",
                        Set.of(),
                        "dev.ledger.core.spi",
                        Set.of(),
                        "dev.ledger.core.memory",
                        Set.of(),
                        "dev.ledger.core.internal",
                        Set.of("dev.ledger.postgres")),
                exports);
        assertEquals(Set.of(), descriptor.opens(), "nothing opened to reflection");
    }
}
