// The id that tells one run's processes (their PARITY_RUN marker) from any other's.

/** A new run id (not a secret: node:crypto costs start-up time). */
export function makeRunId(): string {
  const random = Math.floor(Math.random() * 2 ** 48).toString(36);
  return `${process.pid.toString(36)}${Date.now().toString(36)}${random}`;
}
