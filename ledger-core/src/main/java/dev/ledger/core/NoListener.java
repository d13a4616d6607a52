package dev.ledger.core;

/** The no-op {@link LedgerListener}: {@link LedgerListener#none()}. */
final class NoListener implements LedgerListener {
    static final NoListener INSTANCE = new NoListener();

    private NoListener() {}

    @Override
    public String toString() {
        return "LedgerListener.none()";
    }
}
