import type { ReasonSpec } from '../reason-spec.js';

/** Reasons of the `queue` cause (CONTRACT §5). */
export const queueReasons: Readonly<Record<string, ReasonSpec>> = {};
