/** The benchmark reports: docs/benchmarks.md and docs/benchmarks-citus.md from a run's JSON, through templates. */
@NullMarked
package dev.ledger.jmh.report;

import org.jspecify.annotations.NullMarked;
