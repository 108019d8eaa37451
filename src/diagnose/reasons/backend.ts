import type { ReasonSpec } from '../reason-spec.js';

/** Reasons of the `backend` cause (CONTRACT §5). */
export const backendReasons: Readonly<Record<string, ReasonSpec>> = {};
