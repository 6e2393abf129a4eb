/** Every way a step can fail, as the contract names them; also the `reason` label's only values. */
export const FAILURE_REASONS = [
  'status',
  'assertion',
  'extraction',
  'timeout',
  'dns',
  'connection',
  'tls',
  'body_too_large',
  'protocol',
  'template',
  // The last resort: something went wrong inside stepwatch; the message says what.
  'internal',
] as const;

export type FailureReason = (typeof FAILURE_REASONS)[number];

/** A fault of the monitored API or of the run, carried as data until it becomes a step result. */
export interface StepFailure {
  reason: FailureReason;
  message: string;
}

export function failure(reason: FailureReason, message: string): StepFailure {
  return { reason, message };
}
