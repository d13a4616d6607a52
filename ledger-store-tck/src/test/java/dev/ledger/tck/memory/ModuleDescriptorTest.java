package dev.ledger.tck.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Requires.Modifier;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The TCK's module exports its one package and passes on what a store's tests need to read. */
class ModuleDescriptorTest {
  @Test
  void descriptor_builtModule_exportsTheKitAndRequiresCoreTestingAndJUnitTransitively() {
    ModuleDescriptor descriptor = ModuleFinder.of(Path.of("target/classes")).find("dev.ledger.tck").orElseThrow()
        .descriptor();
    Map<String, Set<String>> exports = new TreeMap<>();
    descriptor.exports().forEach(e -> exports.put(e.source(), e.targets()));
    assertEquals(Map.of("dev.ledger.tck", Set.of()), exports);
    Map<String, Set<Modifier>> requires = new TreeMap<>();
    descriptor.requires().forEach(r -> requires.put(r.name(), r.modifiers()));
    assertEquals(Set.of(Modifier.TRANSITIVE), requires.get("dev.ledger.core"));
    assertEquals(Set.of(Modifier.TRANSITIVE), requires.get("dev.ledger.testing"));
    assertEquals(Set.of(Modifier.TRANSITIVE), requires.get("org.junit.jupiter.api"));
    assertEquals(Set.of(Modifier.STATIC, Modifier.TRANSITIVE), requires.get("org.jspecify"));
  }
}
