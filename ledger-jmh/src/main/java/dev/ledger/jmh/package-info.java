/**
 * The JMH benchmarks of the ledger against baselines measured in the same run ({@link dev.ledger.jmh.Baselines}), the
 * databases they run on and the runners ({@link dev.ledger.jmh.BenchRun}, {@link dev.ledger.jmh.CitusRun}).
 */
@NullMarked
package dev.ledger.jmh;

import org.jspecify.annotations.NullMarked;
