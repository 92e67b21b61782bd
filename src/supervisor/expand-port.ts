// Fills in the instance's port where a probe value says $PORT or ${PORT}.

/** Replaces $PORT and ${PORT} in a probe value with the instance's port. */
export function expandPort(value: string, port: number): string {
  return value.replaceAll(/\$\{PORT\}|\$PORT\b/g, String(port));
}
