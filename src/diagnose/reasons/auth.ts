import type { ReasonSpec } from '../reason-spec.js';

/** Reasons of the `auth` cause (CONTRACT §5). */
export const authReasons: Readonly<Record<string, ReasonSpec>> = {};
