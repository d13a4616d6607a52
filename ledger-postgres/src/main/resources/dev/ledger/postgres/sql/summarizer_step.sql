-- One step of the balance summariser (R__5_summarizer.sql), first in its transaction.
SELECT outcome, checkpoints
  FROM ${schema}.summarizer_step(:seal_lag_micros * interval '1 microsecond', :checkpoint_every, :checkpoint_after)
