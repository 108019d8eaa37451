import type { ReasonSpec } from '../reason-spec.js';

/** Reasons of the `tls` cause (CONTRACT §5). */
export const tlsReasons: Readonly<Record<string, ReasonSpec>> = {};
