import type { Problem, Severity } from './problem.js';
import type { Facts, ReasonSpec } from './reason-spec.js';
import { networkReasons } from './reasons/network.js';
import { endpointReasons } from './reasons/endpoint.js';
import { tlsReasons } from './reasons/tls.js';
import { authReasons } from './reasons/auth.js';
import { backendReasons } from './reasons/backend.js';
import { protocolReasons } from './reasons/protocol.js';
import { resourcesReasons } from './reasons/resources.js';
import { queueReasons } from './reasons/queue.js';
import { configReasons } from './reasons/config.js';
import { trafficReasons } from './reasons/traffic.js';

/** Every reason code, one literal registry; docs/reasons.md documents each (a test keeps them in sync). */
export const CATALOGUE = Object.freeze({
  ...networkReasons,
  ...endpointReasons,
  ...tlsReasons,
  ...authReasons,
  ...backendReasons,
  ...protocolReasons,
  ...resourcesReasons,
  ...queueReasons,
  ...configReasons,
  ...trafficReasons,
});

/** Every reason code: a code that is not in the catalogue does not compile. */
export type ReasonCode = keyof typeof CATALOGUE;

/** The catalogue's entry for a code read at run time (a document, a label); undefined when unknown. */
export const reasonSpec = (code: string): ReasonSpec | undefined =>
  Object.hasOwn(CATALOGUE, code) ? (CATALOGUE as Readonly<Record<string, ReasonSpec>>)[code] : undefined;

/** Builds the problem for a reason code from what was seen. Throws only on an unknown code (a bug). */
export function problem(reason: ReasonCode, facts: Facts = {}, severity?: Severity): Problem {
  const spec: ReasonSpec | undefined = reasonSpec(reason);
  if (!spec) throw new Error(`unknown reason code "${reason}"`);
  return Object.freeze({
    cause: spec.cause,
    reason,
    severity: severity ?? spec.severity,
    message: spec.message(facts),
    fix: spec.fix(facts),
  });
}
