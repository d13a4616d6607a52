package dev.ledger.jmh.report;

/**
 * The report's section on what would close the gaps to the targets. It is reasoned from the code and from profiles
 * taken while building this suite (the tables above give each run's own evidence), so it is the same in every
 * run; revise it when the stores change.
 */
final class ClosingTheGaps {
  static final String TEXT = """
      These follow from the tables above and from reading the stores. Done already, after earlier runs of this       suite: the guard reads credits with its own statements instead of calling `credits_as_of` (PostgreSQL never       inlines a SQL function with sub-selects and re-planned it on every call: ~0.2 ms per transfer); the library's       reads write the same construction out; the append runs on plain JDBC (Jdbi's binding allocated ~16 KB per       transfer); the summariser writes a checkpoint every 128 credits, its BRIN index is on an expression no other       query uses, and scans of `transfer` are never parallel (the planner chose both for a busy account's       balance); in memory, no regular expression, no hashing and no latch on the transfer path, and messages are       built only on failure. What is left:

      **Ledger transfer vs raw insert.** At 16 threads on 2 cores the machine is saturated (idle ≈ 0 in *Where the       time goes*): group commit batches the WAL flushes, so throughput is set by CPU per transfer, and the JVM and       PostgreSQL share the same two cores. The ledger still spends several times the raw insert's CPU:
      1. *Doing the reads once.* The append statement (a CTE) reads the accounts, the head, the seal, the checkpoint       and the credits since it, then the guard trigger reads them all again — defence in depth against writers       that bypass the library, at about half the server time of a transfer (see the function table). If the guard       stays the single authority, the statement can shrink to the idempotency check plus a plain INSERT whose       values the guard validates (the store already maps the guard's constraint names to rejections and       conflicts). The destination-overflow check (a sum of the destination's credits since its checkpoint) could       run only when the newest checkpoint is near the bigint limit.
      2. *Index maintenance.* A transfer row maintains five indexes (primary key, id, destination-time,       source-time, BRIN) against the raw table's two; compare the WAL bytes per transfer.       `transfer_source_time_idx` serves as-of debit lookups and statements; walking the primary key backwards       would serve recent instants without it.
      3. *Batching.* A round trip and a commit per transfer is the same for every design here; several transfers       per statement (the planned bulk batches) would amortise both for the ledger and not for the row-locking       design.

      **Hot accounts vs locking.** The ledger's hot-account throughput is bounded first by its uncontended CPU cost.       On top, a debit that loses the race for a hot source's next index has already waited for the winner's commit       (on the primary key), then gets a unique violation and the `Ledger` sleeps a random 0–1 ms, 0–2 ms, ...       before reading again, while the locking design is woken the moment the lock holder commits. Retrying the first       conflict at once (the wait means the winner has committed), or looping inside the database in a PL/pgSQL       append function under READ COMMITTED, would remove the client's sleep and a round trip per conflict. The       ledger cannot deadlock: it takes no row locks.

      **In-memory store.** 2,000,000 transfers/s at 2 threads is one transfer per microsecond per core. What is       left is mostly memory: the store keeps every transfer (a `ConcurrentHashMap` of all ids for idempotency, and       per-account logs), so young collections copy what each iteration records and GC takes a large share of the       measured time; then the three validations of one transfer (`TransferRequest`, `TransferDraft`, `Transfer`).       Primitive per-account logs (amounts, epoch microseconds) instead of objects, and a non-validating internal       path for the `Transfer` the store builds from a validated draft, would cut both allocation and what the       collector copies.

      **Balance reads.** With checkpoints the balance no longer depends on history: compare the p50 of the 1k and       1M rows. What is left per read is fixed cost; the p99 on a shared 2-core machine is mostly scheduling noise       on top of it (a p99 of the 1k row above the 1M row is such noise). A read as of an instant inside the       bulk-loaded history sums at most 128 credits after a checkpoint, since the summariser writes intermediate       checkpoints through the loaded interval.
      """;

  private ClosingTheGaps() {}
}
