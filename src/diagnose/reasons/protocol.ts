import type { ReasonSpec } from '../reason-spec.js';

/** Reasons of the `protocol` cause (CONTRACT §5). */
export const protocolReasons: Readonly<Record<string, ReasonSpec>> = {};
