/**
 * Change counters for metric families whose values only change when otel-sentinel changes them
 * (not at scrape time). A family with a version can have its rendered text reused between
 * scrapes until the version moves; families without one (the default process metrics, which read
 * /proc when scraped) are rendered every time.
 */
const versions = new WeakMap<object, number>();

/** Starts counting changes of a family; its text may be cached from now on. */
export function trackVersion(family: object): void {
  if (!versions.has(family)) versions.set(family, 0);
}

/** Call after every change of a tracked family's values. */
export function bumpVersion(family: object): void {
  versions.set(family, (versions.get(family) ?? 0) + 1);
}

/** undefined: not tracked, render on every scrape. */
export function versionOf(family: object): number | undefined {
  return versions.get(family);
}
