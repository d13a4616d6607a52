/**
 * The ledger engine's core: {@link dev.ledger.core.Ledger} and its values ({@code dev.ledger.core}), the port a store
 * implements ({@code dev.ledger.core.spi}) and the in-memory store ({@code dev.ledger.core.memory}).
 * {@code dev.ledger.core.internal} is not API: it is exported to the ledger's own PostgreSQL store only.
 */
// (the qualified export names a module built after this one: "module not found" is expected here)
@SuppressWarnings("module")
module dev.ledger.core {
    // Nullness annotations on the API: needed to compile against it, never at run time.
    requires static transitive org.jspecify;

    exports dev.ledger.core;
    exports dev.ledger.core.spi;
    exports dev.ledger.core.memory;
    exports dev.ledger.core.internal to
            dev.ledger.postgres;
}
