package dev.ledger.core.internal;

import dev.ledger.core.ChainHead;
import dev.ledger.core.VerificationReport;
import dev.ledger.core.VerificationReport.Finding;
import dev.ledger.core.VerificationReport.Kind;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Recomputes a ledger from its raw rows and reports every inconsistency; shared by the stores so that
 * {@code verify()} means the same everywhere. Feed it the accounts, then the credit checkpoints (if any), then
 * the transfers grouped by source in index order (one pass, constant memory per account), then call
 * {@link #finish()}. Not thread-safe. Not part of the API.
 */
public final class LedgerVerifier {
  private static final HexFormat HEX = HexFormat.of();

  private final Map<String, AccountTotals> accounts = new HashMap<>();
  /** Trusted heads by source, then by index. */
  private final Map<String, Map<Long, ChainHead>> trusted = new HashMap<>();
  private final List<Finding> findings = new ArrayList<>();
  private final List<ChainHead> heads = new ArrayList<>();
  private long omitted;
  private long transfers;
  private long chains;

  private @Nullable String source;
  private long nextIndex;
  private byte[] previousHash = TransferHashes.zero();
  private long previousDebits;
  private long previousAt = Long.MIN_VALUE;
  /** Ledger-wide totals may exceed 2^63-1 legitimately (each account's stay within it). */
  private BigInteger storedDebitsTotal = BigInteger.ZERO;
  private BigInteger amountsTotal = BigInteger.ZERO;
  private boolean totalsOverflow;

  public LedgerVerifier(Collection<ChainHead> trustedHeads) {
    for (ChainHead head : trustedHeads) {
      trusted.computeIfAbsent(head.source(), s -> new HashMap<>()).put(head.index(), head);
    }
  }

  public void account(String id, String currency, boolean issuer) {
    accounts.put(id, new AccountTotals(currency, issuer));
  }

  /** A stored credit checkpoint: the account's cumulative credits over transfers recorded at or before it. */
  public void checkpoint(String account, long throughMicros, long credits) {
    AccountTotals totals = accounts.get(account);
    if (totals == null) {
      add(Kind.UNKNOWN_ACCOUNT, account, null, null, "a credit checkpoint through " + throughMicros
          + " µs names account " + Checks.quote(account) + ", which does not exist");
      return;
    }
    totals.checkpoints.put(throughMicros, new long[] {credits, 0});
  }

  /** The credits the store itself answers for an account (from its summaries), to compare with recomputation. */
  public void storedCredits(String account, long credits) {
    AccountTotals totals = accounts.get(account);
    if (totals != null) {
      totals.storedCredits = credits;
    }
  }

  /**
   * One transfer row, in (source, index) order.
   *
   * @param recordedAtMicros the time in microseconds since the epoch, or null if the stored time has none
   * @param storedHash the row's chain hash as stored (empty when missing)
   */
  public void transfer(UUID id, String source, long index, String destination, long amount, String currency,
      @Nullable Long recordedAtMicros, @Nullable String reference, long sourceDebits, byte[] storedHash) {
    transfers++;
    if (!source.equals(this.source)) {
      closeSource();
      this.source = source;
      chains++;
      nextIndex = 0;
      previousHash = TransferHashes.zero();
      previousDebits = 0;
      previousAt = Long.MIN_VALUE;
    }
    if (index != nextIndex) {
      if (index > nextIndex) {
        add(Kind.INDEX_GAP, source, nextIndex, null, "index " + nextIndex
            + (index - 1 > nextIndex ? " to " + (index - 1) : "") + " of source " + Checks.quote(source)
            + " missing: expected index " + nextIndex + ", the next recorded index is " + index);
      } else {
        add(Kind.INDEX_GAP, source, index, id, "index " + index + " of source " + Checks.quote(source)
            + " recorded twice: expected index " + nextIndex);
      }
    }
    nextIndex = index + 1;

    AccountTotals src = accounts.get(source);
    AccountTotals dst = accounts.get(destination);
    if (src == null) {
      add(Kind.UNKNOWN_ACCOUNT, source, index, id, "source " + Checks.quote(source) + " does not exist");
    }
    if (dst == null) {
      add(Kind.UNKNOWN_ACCOUNT, destination, null, id, "destination " + Checks.quote(destination)
          + " of " + Checks.quote(source) + " index " + index + " does not exist");
    }
    if (amount <= 0) {
      add(Kind.INVALID_TRANSFER, source, index, id, "amount is " + amount + ", expected greater than 0");
    }
    if (source.equals(destination)) {
      add(Kind.INVALID_TRANSFER, source, index, id, "source and destination are both " + Checks.quote(source));
    }
    if ((src != null && !src.currency.equals(currency)) || (dst != null && !dst.currency.equals(currency))) {
      add(Kind.INVALID_TRANSFER, source, index, id, "currency " + Checks.quote(currency) + " differs from the source's "
          + (src == null ? "?" : src.currency) + " or the destination's " + (dst == null ? "?" : dst.currency));
    }

    if (recordedAtMicros == null) {
      add(Kind.INVALID_TRANSFER, source, index, id, "recorded_at is not a finite instant");
    } else {
      byte[] computed = TransferHashes.chain(previousHash, TransferHashes.content(id, source, index, destination,
          amount, currency, recordedAtMicros, reference));
      if (!Arrays.equals(computed, storedHash)) {
        add(Kind.HASH_MISMATCH, source, index, id, storedHash.length == 0
            ? "chain hash missing; expected " + HEX.formatHex(computed)
            : "stored chain hash " + HEX.formatHex(storedHash) + ", expected " + HEX.formatHex(computed)
                + " (recomputed from this row's content and the stored hash of index " + (index - 1) + ")");
      }
      // Continue from the stored hash so that one altered row is reported once, not along the rest of the chain.
      previousHash = storedHash.length == 32 ? storedHash : computed;
      if (recordedAtMicros < previousAt) {
        add(Kind.TIME_NOT_MONOTONIC, source, index, id, "recorded at " + recordedAtMicros
            + " µs, before " + previousAt + " µs of the previous index");
      }
      previousAt = recordedAtMicros;
      Map<Long, ChainHead> trustedOfSource = trusted.get(source);
      ChainHead head = trustedOfSource == null ? null : trustedOfSource.remove(index);
      if (head != null && !head.hash().equals(HEX.formatHex(storedHash))) {
        add(Kind.HEAD_MISMATCH, source, index, id, "trusted head hash " + head.hash() + ", stored "
            + HEX.formatHex(storedHash));
      }
    }

    long expectedDebits;
    try {
      expectedDebits = Math.addExact(previousDebits, amount);
    } catch (ArithmeticException e) {
      expectedDebits = Long.MIN_VALUE;
    }
    if (sourceDebits != expectedDebits) {
      add(Kind.DEBITS_MISMATCH, source, index, id, "source_debits " + sourceDebits + ", expected " + previousDebits
          + " + " + amount + " = " + (expectedDebits == Long.MIN_VALUE ? "overflow" : Long.toString(expectedDebits)));
    }
    previousDebits = sourceDebits;

    amountsTotal = amountsTotal.add(BigInteger.valueOf(amount));
    if (src != null) {
      src.debits = plus(src.debits, amount);
    }
    if (dst != null) {
      dst.credits = plus(dst.credits, amount);
      if (!dst.checkpoints.isEmpty() && recordedAtMicros != null) {
        Map.Entry<Long, long[]> bucket = dst.checkpoints.ceilingEntry(recordedAtMicros);
        if (bucket != null) {
          bucket.getValue()[1] = plus(bucket.getValue()[1], amount);
        }
      }
    }
  }

  private long plus(long a, long b) {
    try {
      return Math.addExact(a, b);
    } catch (ArithmeticException e) {
      totalsOverflow = true;
      return a;
    }
  }

  private void closeSource() {
    if (source != null) {
      heads.add(ChainHead.of(source, nextIndex - 1, previousHash));
      storedDebitsTotal = storedDebitsTotal.add(BigInteger.valueOf(previousDebits));
    }
  }

  /** The newest link of each chain seen; valid after {@link #finish()}. */
  public List<ChainHead> heads() {
    return List.copyOf(heads);
  }

  public VerificationReport finish() {
    closeSource();
    source = null;
    if (totalsOverflow) {
      add(Kind.ZERO_SUM_BROKEN, null, null, null,
          "an account's cumulative credits or debits exceed 2^63-1; its recomputed totals are not exact");
    }
    if (!storedDebitsTotal.equals(amountsTotal)) {
      add(Kind.ZERO_SUM_BROKEN, null, null, null, "total credits " + amountsTotal
          + " differ from total debits " + storedDebitsTotal + " (the sources' stored cumulative debits)");
    }
    List<String> ids = new ArrayList<>(accounts.keySet());
    ids.sort(null);
    for (String id : ids) {
      AccountTotals a = accounts.get(id);
      long balance = a.credits - a.debits;
      if (!a.issuer && balance < 0) {
        add(Kind.NEGATIVE_BALANCE, id, null, null, "recomputed balance " + balance + " (credits " + a.credits
            + " - debits " + a.debits + ") of a non-issuer account is negative");
      }
      long running = 0;
      for (Map.Entry<Long, long[]> cp : a.checkpoints.entrySet()) {
        running += cp.getValue()[1];
        if (running != cp.getValue()[0]) {
          add(Kind.CHECKPOINT_MISMATCH, id, null, null, "credit checkpoint through " + cp.getKey() + " µs holds "
              + cp.getValue()[0] + ", recomputed " + running);
        }
      }
      if (a.storedCredits != null && a.storedCredits != a.credits) {
        add(Kind.CHECKPOINT_MISMATCH, id, null, null, "the store answers cumulative credits " + a.storedCredits
            + " from its summaries, recomputed " + a.credits);
      }
    }
    List<ChainHead> missing = new ArrayList<>();
    trusted.values().forEach(m -> missing.addAll(m.values()));
    missing.sort((x, y) -> x.source().equals(y.source()) ? Long.compare(x.index(), y.index())
        : x.source().compareTo(y.source()));
    Map<String, ChainHead> current = new HashMap<>();
    heads.forEach(h -> current.put(h.source(), h));
    for (ChainHead head : missing) {
      ChainHead now = current.get(head.source());
      add(Kind.HEAD_MISMATCH, head.source(), head.index(), null, "trusted head index " + head.index() + " (hash "
          + head.hash() + ") is no longer recorded; the chain of " + Checks.quote(head.source())
          + (now == null ? " is empty" : " ends at index " + now.index()));
    }
    return new VerificationReport(accounts.size(), transfers, chains, findings, omitted);
  }

  private void add(Kind kind, @Nullable String account, @Nullable Long index, @Nullable UUID transferId,
      String message) {
    if (findings.size() >= VerificationReport.MAX_FINDINGS) {
      omitted++;
      return;
    }
    findings.add(new Finding(kind, account, index == null ? OptionalLong.empty() : OptionalLong.of(index), transferId,
        message));
  }

  private static final class AccountTotals {
    final String currency;
    final boolean issuer;
    long credits;
    long debits;
    @Nullable Long storedCredits;
    /** through (µs) -> {stored credits, credits recorded in (previous through, through]}. */
    final TreeMap<Long, long[]> checkpoints = new TreeMap<>();

    AccountTotals(String currency, boolean issuer) {
      this.currency = currency;
      this.issuer = issuer;
    }
  }
}
