// Resolves the names a client gives (web, web.2, globs) to instance slots.
import picomatch from "picomatch";

/** The outcome: the slot names matched, or the names that matched nothing. */
export type NameMatch = { ok: true; names: string[] } | { ok: false; unknown: string[] };

/**
 * Resolves `patterns` against `slots` (`web.1`, `web.2`, …): a type name means all its slots,
 * `web.2` that slot, a glob (`web.*`, `*`) every slot it matches. `startable` lists names that
 * may be created (`worker` or `worker.1` for a type scaled to 0, `web.3` beyond the formation).
 */
export function matchNames(
  patterns: string[],
  slots: string[],
  startable: (name: string) => boolean = () => false,
): NameMatch {
  const names = new Set<string>();
  const unknown: string[] = [];
  for (const pattern of patterns) {
    const isGlob = picomatch.scan(pattern).isGlob;
    const match = isGlob ? picomatch(pattern) : undefined;
    const found = slots.filter((s) =>
      match ? match(s) : s === pattern || s.startsWith(`${pattern}.`),
    );
    if (found.length > 0) for (const f of found) names.add(f);
    else if (!isGlob && startable(pattern))
      names.add(pattern.includes(".") ? pattern : `${pattern}.1`);
    else unknown.push(pattern);
  }
  return unknown.length > 0 ? { ok: false, unknown } : { ok: true, names: [...names] };
}
