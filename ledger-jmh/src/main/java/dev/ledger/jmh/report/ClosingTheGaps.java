package dev.ledger.jmh.report;

/**
 * The report's section on what would close the gaps to the targets. It is reasoned from the code and from profiles
 * taken while building this suite (the tables above give each run's own evidence), so it is the same in every
 * run; revise it when the stores change.
 */
final class ClosingTheGaps {
  static final String TEXT = """
      These follow from the tables above and from reading the stores; they are proposals for `ledger-core` and \
      `ledger-postgres`, not changes made here. The benchmark code does not touch either module.

      **Ledger transfer vs raw insert.** At 16 threads on 2 cores the machine is saturated (idle ≈ 0 in *Where the \
      time goes*): group commit batches the WAL flushes, so throughput is set by CPU per transfer, and the JVM and \
      PostgreSQL share the same two cores. The ledger spends several times the raw insert's CPU on both sides. On \
      the server, most of it is the `guard_transfer` trigger (see the function table), which re-reads what the \
      append statement has just read:
      1. *Re-planning.* The guard calls `credits_as_of` twice per transfer (funds of the source, overflow of the \
      destination). It is `LANGUAGE sql` with `SET search_path`, so PostgreSQL never inlines it and plans its body \
      again in every transaction (`plans per call` = 1.00). Dropping the `SET` clause and schema-qualifying the \
      names (Flyway's `${flyway:defaultSchema}` placeholder is already used) makes it inlinable; or compute the \
      credits inline in the trigger as the append statement does. Either removes the planning cost per transfer \
      shown under *Findings*.
      2. *Doing the reads once.* The append statement (a CTE) reads the accounts, the head, the seal, the checkpoint \
      and the credits since it, then the trigger reads them all again. If the guard stays the single authority \
      (it must, against writers that bypass the library), the library's statement can shrink to the idempotency \
      check plus a plain INSERT whose values the guard validates; the store already maps the guard's constraint \
      names to rejections and conflicts. The destination-overflow check (a SUM of the destination's credits since \
      its checkpoint, on every transfer) could run only when the destination's newest checkpoint is close to the \
      bigint limit.
      3. *Index maintenance.* A transfer row maintains five indexes (primary key, id, destination-time, \
      source-time, BRIN) against the raw table's two; compare the WAL bytes per transfer. `transfer_source_time_idx` \
      serves only as-of debit lookups; a source's `recorded_at` never decreases with `source_index`, so \
      `debits_as_of` could walk the primary key backwards instead (cheap for recent instants) and the index could go.
      4. *The JVM side.* A JFR profile of `TransferBenchmark.ledger` at 16 threads, taken while building this suite, \
      attributed about half of the benchmark threads' CPU samples and about 60% of their allocation to Jdbi \
      (statement and context creation, named-parameter binding through argument factories), a third of the samples \
      to pgjdbc (the 15-column result, timestamptz conversions), and under 10% to `ledger-core`. The append is one \
      fixed statement: plain JDBC with a prepared statement (as the baselines use) and a result of the status, index \
      and time only (the existing transfer's columns are needed only in the rare replay case) would cut most of it.

      Even with all four, a transfer that checks funds, index continuity and idempotency inside the database does \
      more than a bare two-index INSERT; 0.8 of that ceiling needs the guard's cost near zero, which items 1 and 2 \
      aim at. Commit latency (one WAL flush per transfer) is the same for every design and is not the gap.

      **Hot accounts vs locking.** The ledger's hot-account throughput is bounded first by its uncontended CPU cost \
      (compare its uncontended row at 16 threads with the locking design's). On top, a debit that loses the race \
      for a hot source's next index has already waited for the winner's commit (on the primary key), then gets a \
      unique violation and the `Ledger` sleeps a random 0–1 ms, 0–2 ms, ... before reading again, while the locking \
      design is woken the moment the lock holder commits. Two changes in the retry: retry the first conflict at \
      once (the wait means the winner has committed, so the next read sees the new head) and back off only on \
      repeated conflicts; or retry inside the database, in a PL/pgSQL append function that loops on \
      `unique_violation` with a fresh snapshot per statement under READ COMMITTED, saving a round trip and the \
      client's sleep per conflict. Neither design deadlocked in these runs; the ledger cannot, as it takes no row \
      locks.

      **In-memory store.** 2,000,000 transfers/s at 2 threads is one transfer per microsecond per core. The GC \
      profiler and the stack profile show where it goes: about 2 KB allocated per transfer, much of it retained \
      (the store keeps every transfer, so young collections copy it and GC pauses take a large share of the \
      measured time); regular-expression matching (`Matcher`), because the currency is validated by regex three \
      times per transfer (`TransferRequest`, `TransferDraft`, `Transfer`) and the `Transfer` constructor also \
      builds five error-message strings eagerly (`"... of transfer " + id`, each a `UUID.toString`) on every call; \
      `ConcurrentHashMap` work on the map of all transfer ids (a `putIfAbsent` of an `InFlight` marker that \
      allocates a `CountDownLatch` per attempt, a `put` of the transfer, and resizing as the map grows); and \
      `Instant.now` per attempt. What would close most of the gap: validate the currency with a character loop \
      (or compare with the accounts' already-validated currency), build messages only on failure, let the store \
      construct its `Transfer` through a non-validating internal path once the draft is validated, skip the \
      in-flight latch for ids the ledger generated itself (a fresh version-7 UUID cannot be in flight elsewhere), \
      and keep each account's log as primitive arrays (amounts, epoch microseconds, indices) rather than objects, \
      which cuts both allocation and what the collector must copy.

      **Balance reads.** With the V2 checkpoints the balance now no longer depends on history: compare the p50 of \
      the 1k and 1M rows. What is left per read is fixed cost, and the p99 on a shared 2-core machine is mostly \
      scheduling noise on top of it; part of that fixed cost is item 1 again, since `Ledger.balance` calls \
      `credits_as_of` and pays its planning at every call (see the statement table of `Ledger.balance`). \
      A read as of an instant inside the bulk-loaded history still sums every \
      credit before that instant: the load gets one checkpoint, at its end (`BenchData.afterBulkLoad` runs the \
      store's summariser once), so there is none before the instant. The same holds for any ledger upgraded from V1 \
      with history: nothing before V2's first seal is checkpointed. A backfill that writes checkpoints at intervals \
      through existing history (per account, every N credits or every day) would bound these reads too; \
      `BenchData.afterBulkLoad` is the hook for calling it here.
      """;

  private ClosingTheGaps() {}
}
