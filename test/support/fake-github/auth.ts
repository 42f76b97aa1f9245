/**
 * Credentials: any well-formed JWT is the App (the fake does not hold the App's public key);
 * installation tokens are minted by `POST /app/installations/{id}/access_tokens` and expire after
 * an hour like GitHub's; user tokens (a workflow's GITHUB_TOKEN, a reviewer's PAT) are created by
 * tests. Tokens are deterministic strings so a recorded run can be compared with another.
 */
import { HttpError } from './errors.ts';
import type { Actor } from './http.ts';
import type { State } from './state.ts';

interface TokenRecord {
  actor: Actor;
  expiresAt: number;
}

const HOUR = 3600_000;

export class Credentials {
  private readonly tokens = new Map<string, TokenRecord>();
  private serial = 0;
  private readonly state: State;

  constructor(state: State) {
    this.state = state;
  }

  /**
   * An installation token; `permissions` narrows it to those scopes, as `actions/create-github-app-token`'s
   * `permission-*` inputs do (GitHub refuses a scope the installation does not have: 422).
   */
  issueInstallationToken(installationId: number, permissions?: Record<string, string>): { token: string; expiresAt: Date } {
    const installation = this.state.installations.get(installationId);
    if (!installation) throw new HttpError(404, 'Not Found');
    if (permissions) {
      const rank = (v: string | undefined) => ({ read: 1, write: 2, admin: 3 })[v ?? ''] ?? 0;
      const beyond = Object.entries(permissions).filter(([k, v]) => rank(v) > rank(installation.permissions[k]));
      if (beyond.length > 0) throw new HttpError(422, `The permissions requested are not granted to this installation.`);
    }
    const token = `ghs_fake${String(++this.serial).padStart(4, '0')}i${installationId}`;
    const expiresAt = this.state.now().getTime() + HOUR;
    this.tokens.set(token, {
      actor: { kind: 'installation', installation, ...(permissions ? { permissions: { ...permissions, metadata: 'read' } } : {}) },
      expiresAt,
    });
    return { token, expiresAt: new Date(expiresAt) };
  }

  /** A token that acts as this user (created on first mention), valid until `expireAll`. */
  createUserToken(login: string, token = `ghp_fake${String(++this.serial).padStart(4, '0')}${login.replace(/\W/g, '')}`): string {
    this.tokens.set(token, { actor: { kind: 'user', user: this.state.user(login) }, expiresAt: Number.POSITIVE_INFINITY });
    return token;
  }

  /**
   * A workflow's GITHUB_TOKEN for one repository: it acts as github-actions[bot] with the job's
   * `permissions:` (scopes in the API's spelling: `pull_requests`, `statuses`, ...).
   */
  createWorkflowToken(fullName: string, permissions: Record<string, string>): string {
    const token = `ghs_fakeworkflow${String(++this.serial).padStart(4, '0')}`;
    const user = this.state.actionsApp.bot;
    this.tokens.set(token, {
      actor: { kind: 'user', user, workflow: { repo: fullName.toLowerCase(), permissions: { ...permissions } } },
      expiresAt: Number.POSITIVE_INFINITY,
    });
    return token;
  }

  /** Makes every token stale, so clients must mint new installation tokens. */
  expireAll(): void {
    for (const t of this.tokens.values()) t.expiresAt = 0;
  }

  /** The caller behind an `Authorization` header; a bad or expired token is 401 "Bad credentials" as on GitHub. */
  resolve(header: string | undefined): Actor {
    if (!header) return { kind: 'anonymous' };
    const m = /^(?:token|bearer)\s+(\S+)$/i.exec(header.trim());
    if (!m) throw new HttpError(401, 'Bad credentials');
    const credential = m[1] as string;
    if (isJwt(credential)) return { kind: 'app' };
    const rec = this.tokens.get(credential);
    if (!rec || rec.expiresAt <= this.state.now().getTime()) throw new HttpError(401, 'Bad credentials');
    if (rec.actor.kind === 'installation' && !this.state.installations.has(rec.actor.installation.id)) throw new HttpError(401, 'Bad credentials');
    return rec.actor;
  }
}

function isJwt(s: string): boolean {
  const parts = s.split('.');
  if (parts.length !== 3) return false;
  try {
    const header = JSON.parse(Buffer.from(parts[0] as string, 'base64url').toString('utf8')) as { alg?: unknown };
    return typeof header.alg === 'string';
  } catch {
    return false;
  }
}

/** The rate-limit bucket a caller draws from. */
export function bucketOf(actor: Actor): string {
  switch (actor.kind) {
    case 'app':
      return 'app';
    case 'installation':
      return `installation:${actor.installation.id}`;
    case 'user':
      return `user:${actor.user.login}`;
    default:
      return 'anonymous';
  }
}
