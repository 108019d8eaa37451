import { createHmac, randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';

export interface BasicAuthOptions {
  /** how long a verified user/password pair is accepted without bcrypt again */
  readonly cacheTtlMs?: number;
  readonly now?: () => number;
}

/**
 * Checks `Authorization: Basic` headers against bcrypt hashes (web.basic_auth_users). Lives as
 * long as the server it guards.
 */
export interface BasicAuth {
  /** false when no users are configured: every request passes */
  readonly enabled: boolean;
  /** the user name when the header carries a valid pair, else null; never throws */
  verify(authorization: string | undefined): Promise<string | null>;
}

const CACHE_LIMIT = 1024;

export function createBasicAuth(users: Readonly<Record<string, string>>, opts: BasicAuthOptions = {}): BasicAuth {
  const ttl = opts.cacheTtlMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const hashes = new Map(Object.entries(users));
  // Cache keys are keyed hashes of the pair, so the cache never holds a password, and the
  // key dies with the process.
  const cacheKey = randomBytes(32);
  const verified = new Map<string, number>();
  let decoy: Promise<string> | null = null;

  const decoyHash = (): Promise<string> => {
    // Unknown users cost one bcrypt comparison at the configured cost too, so timing does not
    // tell which user names exist.
    if (decoy === null) {
      const first = hashes.values().next().value ?? '';
      const cost = Number(/^\$2[aby]\$(\d\d)\$/.exec(first)?.[1] ?? 10);
      decoy = bcrypt.hash(randomBytes(16).toString('hex'), cost);
    }
    return decoy;
  };

  return {
    enabled: hashes.size > 0,
    async verify(authorization) {
      const pair = parseBasic(authorization);
      if (!pair) return null;
      const key = createHmac('sha256', cacheKey).update(pair.user).update('\u0000').update(pair.password).digest('base64');
      const until = verified.get(key);
      if (until !== undefined && until > now()) return pair.user;
      if (until !== undefined) verified.delete(key);

      const hash = hashes.get(pair.user);
      let ok = false;
      try {
        ok = await bcrypt.compare(pair.password, hash ?? (await decoyHash()));
      } catch {
        ok = false;
      }
      if (!ok || hash === undefined) return null;
      if (verified.size >= CACHE_LIMIT) {
        const oldest = verified.keys().next().value;
        if (oldest !== undefined) verified.delete(oldest);
      }
      verified.set(key, now() + ttl);
      return pair.user;
    },
  };
}

function parseBasic(header: string | undefined): { user: string; password: string } | null {
  if (!header) return null;
  const m = /^basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(header);
  if (!m?.[1]) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
