import type { ReasonSpec } from '../reason-spec.js';

/** Reasons of the `network` cause (CONTRACT §5). */
export const networkReasons: Readonly<Record<string, ReasonSpec>> = {};
