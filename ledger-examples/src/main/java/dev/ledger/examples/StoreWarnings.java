package dev.ledger.examples;

import dev.ledger.postgres.PostgresLedgerStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.jspecify.annotations.Nullable;

/**
 * For the run: silences java.util.logging (the JDBC driver logs there) and turns the PostgreSQL store's start-up
 * warnings, which it logs through {@link System.Logger}, into one line each in the story.
 */
final class StoreWarnings implements AutoCloseable {
    private static final String STORE_LOGGER = PostgresLedgerStore.class.getName();

    private final Logger root = Logger.getLogger("");
    private final Logger storeLogger = Logger.getLogger(STORE_LOGGER);
    private final @Nullable Level rootLevel = root.getLevel();
    private final @Nullable Level storeLevel = storeLogger.getLevel();
    private final boolean storeUsedParents = storeLogger.getUseParentHandlers();
    private final List<String> messages = Collections.synchronizedList(new ArrayList<>());
    private final Handler handler = new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            messages.add(formatter.formatMessage(record));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    static StoreWarnings capture() {
        StoreWarnings w = new StoreWarnings();
        w.root.setLevel(Level.OFF);
        w.storeLogger.setLevel(Level.WARNING);
        w.storeLogger.setUseParentHandlers(false);
        w.storeLogger.addHandler(w.handler);
        return w;
    }

    List<String> drain() {
        synchronized (messages) {
            List<String> copy = List.copyOf(messages);
            messages.clear();
            return copy;
        }
    }

    @Override
    public void close() {
        storeLogger.removeHandler(handler);
        storeLogger.setUseParentHandlers(storeUsedParents);
        storeLogger.setLevel(storeLevel);
        root.setLevel(rootLevel);
    }
}
