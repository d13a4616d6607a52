package dev.ledger.jmh.report;

/** The report's section on what would close the gaps to the targets (reasoned from the profile of the code). */
final class ClosingTheGaps {
  static final String TEXT = "TODO";

  private ClosingTheGaps() {}
}
