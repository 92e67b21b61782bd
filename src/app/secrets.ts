// Decides which environment values look secret and hides them.

const SECRET_KEY = /SECRET|TOKEN|PASSWORD|PASSWD|KEY|CREDENTIAL|PRIVATE/i;
/** Shown instead of a secret value: always the same length, so the real length is not leaked. */
const MASK = "********";

/** Tell whether a key's name looks like it holds a secret (`*SECRET*`, `*TOKEN*`, `*KEY*`, …). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Replace a value with a constant-length mask. */
export function maskValue(_value: string): string {
  return MASK;
}
