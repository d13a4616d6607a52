package dev.ledger.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Requires.Modifier;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The binding's module exports its one package; the PostgreSQL store and HikariCP are optional (static). The tests
 * run on the module path, inside the module: on the class path it would be unnamed, with no descriptor.
 */
class ModuleBoundaryTest {
  @Test
  void module_onTheModulePath_exportsTheBindingAndNeedsThePostgresStoreOnlyWhenUsed() {
    Module module = LedgerMetrics.class.getModule();
    ModuleDescriptor descriptor = module.getDescriptor();
    assertNotNull(descriptor, "ledger-micrometer runs as a named module");
    assertEquals("dev.ledger.micrometer", module.getName());
    Map<String, Set<String>> exports = new TreeMap<>();
    descriptor.exports().forEach(e -> exports.put(e.source(), e.targets()));
    assertEquals(Map.of("dev.ledger.micrometer", Set.of()), exports);
    Map<String, Set<Modifier>> requires = new TreeMap<>();
    descriptor.requires().forEach(r -> requires.put(r.name(), r.modifiers()));
    assertEquals(Set.of(Modifier.TRANSITIVE), requires.get("dev.ledger.core"));
    assertEquals(Set.of(Modifier.TRANSITIVE), requires.get("micrometer.core"));
    assertEquals(Set.of(Modifier.STATIC, Modifier.TRANSITIVE), requires.get("dev.ledger.postgres"));
    assertEquals(Set.of(Modifier.STATIC), requires.get("com.zaxxer.hikari"));
  }
}
