package dev.ledger.examples;

import org.jspecify.annotations.Nullable;

/** The quickstart's command line ({@link Quickstart#USAGE}). */
record QuickstartOptions(
        boolean help, boolean inMemory, @Nullable String jdbcUrl) {
    static QuickstartOptions parse(String[] args) {
        boolean help = false;
        boolean inMemory = false;
        String jdbcUrl = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
            } else if (arg.equals("--in-memory")) {
                inMemory = true;
            } else if (arg.equals("--jdbc-url")) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--jdbc-url needs a URL");
                }
                jdbcUrl = args[++i];
            } else if (arg.startsWith("--jdbc-url=")) {
                jdbcUrl = arg.substring("--jdbc-url=".length());
            } else {
                throw new IllegalArgumentException("unknown argument '" + arg + "'");
            }
        }
        if (inMemory && jdbcUrl != null) {
            throw new IllegalArgumentException("--in-memory and --jdbc-url exclude each other");
        }
        if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("--jdbc-url must start with jdbc:postgresql:");
        }
        return new QuickstartOptions(help, inMemory, jdbcUrl);
    }
}
