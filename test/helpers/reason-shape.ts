/**
 * The message and fix of a reason as docs/reasons.md shows them: every fact replaced by `<name>`,
 * so the shape is visible and the page can be checked against the catalogue.
 */
import type { Facts, ReasonSpec } from '../../src/diagnose/reason-spec.js';

const placeholders = new Proxy(
  {},
  { get: (_t, k) => (typeof k === 'string' ? `<${k}>` : undefined), has: () => true },
) as Facts;

export const messageShape = (spec: ReasonSpec): string => `Message: ${spec.message(placeholders)}`;
export const fixShape = (spec: ReasonSpec): string => `Fix: ${spec.fix(placeholders)}`;
