package dev.ledger.jmh.report;

/**
 * The report's section on what would close the gaps to the targets. It is reasoned from the code and from profiles
 * taken while building this suite (the tables above give each run's own evidence), so it is the same in every
 * run; revise it when the stores change.
 */
final class ClosingTheGaps {
  static final String TEXT = """
      These follow from the tables above and from reading the stores. Done already, after earlier runs of this \
      suite: writes go through one SECURITY DEFINER PL/pgSQL function, `append_transfers`, which takes its locks in \
      one order, evaluates every rule once and inserts a batch's rows in one statement (the guard trigger that \
      re-read everything the append statement had read is gone); the credit formula is written once \
      (`credits_through`, inlined); the append runs on plain JDBC (Jdbi's binding allocated ~16 KB per transfer); \
      the summariser writes a checkpoint every 128 credits, its BRIN index is on an expression no other query uses, \
      and scans of `transfer` are never parallel (the planner chose both for a busy account's balance); in memory, \
      no regular expression, no hashing and no latch on the transfer path, and messages are built only on failure. \
      What is left:

      **Ledger transfer vs raw insert.** At 16 threads on 2 cores the machine is saturated (idle ≈ 0 in *Where the \
      time goes*): group commit batches the WAL flushes, so throughput is set by CPU per transfer, and the JVM and \
      PostgreSQL share the same two cores. The ledger still spends several times the raw insert's CPU:
      1. *The reads, now done once.* `append_transfers` reads the accounts, the source's head, the seal, the \
      checkpoint and the credits since it once per call (its time is in the function table); what remains is the \
      cost of those reads and locks per transfer. The destination-overflow check (a sum of the destination's credits \
      since its checkpoint) could run only when the newest checkpoint is near the bigint limit.
      2. *Index maintenance.* A transfer row maintains five indexes (primary key, id, destination-time, source-time, \
      BRIN) against the raw table's two; compare the WAL bytes per transfer. `transfer_source_time_idx` serves as-of \
      debit lookups and statements; walking the primary key backwards would serve recent instants without it.
      3. *Batching.* The baselines pay a round trip and a commit per transfer; the ledger coalesces concurrent \
      `transfer` calls by default (`Coalescing.natural()`: a batch holds what queued while the previous one was \
      being written), and `Ledger.transferBatch` does the same for a caller's own list: one `append_transfers` \
      call, one transaction. What is left is the fixed cost of a call (about a dozen statements inside the \
      function) and the per-item cost of the batch path: see the bulk target against a raw multi-row INSERT.

      **Hot accounts vs locking.** The ledger's hot-account throughput is bounded first by its uncontended CPU cost. \
      On top, concurrent debits of one hot source now queue on the source's account row inside `append_transfers` \
      (FOR NO KEY UPDATE, in id order) rather than colliding on its next index, so they wait for the holder's commit \
      as the locking design does; the retries counted in the hot table are the conflicts that remain. The ledger \
      cannot deadlock: it takes its locks in one global order.

      **In-memory store.** 2,000,000 transfers/s at 2 threads is one transfer per microsecond per core. What is left \
      is mostly memory: the store keeps every transfer (a `ConcurrentHashMap` of all ids for idempotency, and \
      per-account logs), so young collections copy what each iteration records and GC takes a large share of the \
      measured time; then the three validations of one transfer (`TransferRequest`, `TransferDraft`, `Transfer`). \
      Primitive per-account logs (amounts, epoch microseconds) instead of objects, and a non-validating internal \
      path for the `Transfer` the store builds from a validated draft, would cut both allocation and what the \
      collector copies.

      **Balance reads.** With checkpoints the balance no longer depends on history: compare the p50 of the 1k and 1M \
      rows. What is left per read is fixed cost; the p99 on a shared 2-core machine is mostly scheduling noise on \
      top of it (a p99 of the 1k row above the 1M row is such noise). A read as of an instant inside the bulk-loaded \
      history sums at most 128 credits after a checkpoint, since the summariser writes intermediate checkpoints \
      through the loaded interval.

      """;

  private ClosingTheGaps() {}
}
