// The export plan: the files and directories an export writes, as plain, sorted data.

/** One file of an export, relative to LOCATION, with its final mode. */
export interface PlanFile {
  path: string;
  mode: number;
  contents: string | Buffer;
}

/** A directory an export creates, relative to LOCATION, with its mode. */
export interface PlanDir {
  path: string;
  mode: number;
}

/** Everything one export writes: sorted by path, the same bytes for the same inputs. */
export interface Plan {
  files: PlanFile[];
  dirs: PlanDir[];
}

/** Make a plan with its files and directories sorted by path (code-unit order, not the locale's). */
export function makePlan(files: PlanFile[], dirs: PlanDir[] = []): Plan {
  return {
    files: [...files].sort((a, b) => comparePaths(a.path, b.path)),
    dirs: [...dirs].sort((a, b) => comparePaths(a.path, b.path)),
  };
}

/** Compare two paths by code units: a deterministic order on every machine. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Format a mode as four octal digits: 0644. */
export function formatMode(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, "0")}`;
}

/** Return a file's contents as bytes. */
export function toBytes(contents: string | Buffer): Buffer {
  return typeof contents === "string" ? Buffer.from(contents, "utf8") : contents;
}

/** What the JSON form of a plan says about the export it belongs to. */
export interface PlanHeader {
  app: string;
  format: string;
  location: string;
}

/**
 * Render a plan as JSON (for Chef recipes and other installers): the app, format and location,
 * then each directory and file with its mode as an octal string. Text contents are strings; a
 * file given as bytes has `"encoding": "base64"`. Deterministic: same plan, same bytes.
 */
export function renderPlanJson(plan: Plan, header: PlanHeader): string {
  const data = {
    app: header.app,
    format: header.format,
    location: header.location,
    dirs: plan.dirs.map((dir) => ({ path: dir.path, mode: formatMode(dir.mode) })),
    files: plan.files.map((file) =>
      typeof file.contents === "string"
        ? { path: file.path, mode: formatMode(file.mode), contents: file.contents }
        : {
            path: file.path,
            mode: formatMode(file.mode),
            encoding: "base64",
            contents: file.contents.toString("base64"),
          },
    ),
  };
  return `${JSON.stringify(data, null, 2)}\n`;
}
