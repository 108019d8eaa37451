import type { ReasonSpec } from '../reason-spec.js';

/** Reasons of the `endpoint` cause (CONTRACT §5). */
export const endpointReasons: Readonly<Record<string, ReasonSpec>> = {};
