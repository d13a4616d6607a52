package dev.ledger.postgres;

/** {@link SummarizerListener#none()}. */
final class NoSummarizerListener implements SummarizerListener {
    static final NoSummarizerListener INSTANCE = new NoSummarizerListener();

    private NoSummarizerListener() {}

    @Override
    public String toString() {
        return "SummarizerListener.none()";
    }
}
