import type { ReasonSpec } from '../reason-spec.js';

/** Reasons of the `resources` cause (CONTRACT §5). */
export const resourcesReasons: Readonly<Record<string, ReasonSpec>> = {};
