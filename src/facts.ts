/**
 * Details a producer observed (a probe layer, the collector watcher, a config reader), used by
 * diagnose/ to fill a reason's message and fix. Values are already safe to show: nothing puts a
 * header value, token, password or key material here. The producers and diagnose/ share this one
 * shape; it depends on nothing.
 */
export type Facts = Readonly<Record<string, string | number | boolean | null | undefined>>;
