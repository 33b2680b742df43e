// Secrets made safe to write: the one place that knows which names hold secrets and hides their values —
// in URLs, headers, environment records and free text — so nothing loadlab writes or prints contains one.

/** What every hidden value becomes. */
export const REDACTED = '***';

/** Header and variable names that hold secrets: Authorization, Cookie, AUTH_SECRET, DB_PASSWORD, x-api-key, … */
const SECRET_NAME = /authorization|cookie|secret|token|pass|key/i;

/** True for a header or variable name that holds a secret (AUTH_SECRET, Authorization, x-api-key, …). */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * Hides the password of a URL (and secret-named query parameters such as `?password=`), keeping the
 * scheme, user, host and path readable.
 * @example redactUrl('redis://:s3cret@127.0.0.1:6379') // 'redis://:***@127.0.0.1:6379'
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '<unparseable URL>';
  }
  if (parsed.password) parsed.password = REDACTED;
  for (const name of [...parsed.searchParams.keys()]) if (isSecretName(name)) parsed.searchParams.set(name, REDACTED);
  return parsed.toString();
}

/** A header value that is only a template naming a captured value ({var:token}) is not a secret: keep it. */
const TEMPLATE_ONLY = /^[^{]*\{var:[^}]+\}[^{]*$/;

/** The same headers with secret-named values (Authorization, Cookie, …) replaced; `{var:…}` templates stay. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, v]) => [name, isSecretName(name) && !TEMPLATE_ONLY.test(v) ? REDACTED : v]),
  );
}

/** The same environment record with every secret-named value (AUTH_SECRET=…, REDIS_PASSWORD=…) replaced. */
export function redactEnv(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, v]) => [name, isSecretName(name) ? REDACTED : v]));
}

// Secret values known to this process (embedded services' passwords, --sut-env secrets, header values):
// the last net for free text such as a child's log line. Short values would match ordinary text.
const MIN_SECRET_LENGTH = 6;
const known = new Set<string>();

/** Remembers a secret value so redactText() hides it wherever it appears; short or empty values are ignored. */
export function rememberSecret(value: string | undefined): void {
  if (value && value.length >= MIN_SECRET_LENGTH) known.add(value);
}

/** Remembers the password and secret query parameters of a URL (a no-op for one without). */
export function rememberUrlSecrets(url: string | undefined): void {
  if (!url) return;
  try {
    const parsed = new URL(url);
    rememberSecret(decodeURIComponent(parsed.password));
    rememberSecret(parsed.password);
    for (const [name, value] of parsed.searchParams) if (isSecretName(name)) rememberSecret(value);
  } catch {
    // not a URL: nothing to remember
  }
}

/** Remembers the values of secret-named entries (headers or environment variables). */
export function rememberSecretValues(values: Record<string, string> | undefined): void {
  for (const [name, value] of Object.entries(values ?? {})) {
    if (!isSecretName(name) || TEMPLATE_ONLY.test(value)) continue;
    rememberSecret(value);
    rememberSecret(value.replace(/^(Bearer|Basic|Token)\s+/i, '')); // the token alone, as it may be logged
  }
}

// scheme://user:password@ — the password part, in any text.
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/"'<>]*:)([^\s@/"'<>]+)@/gi;
// Authorization: … / "cookie": "…" — a header written as text or as JSON.
const SECRET_HEADER = /\b((?:proxy-)?authorization|(?:set-)?cookie)("?\s*:\s*"?)([^"\r\n]+)/gi;
// AUTH_SECRET=…, REDIS_PASSWORD=… — an environment assignment.
const SECRET_ASSIGNMENT = /\b([A-Z0-9_]*(?:SECRET|TOKEN|PASSWORD|PASS|KEY)[A-Z0-9_]*=)([^\s"',;]+)/g;

/**
 * Hides secrets in free text: URL passwords, Authorization/Cookie header values, NAME_SECRET=… assignments,
 * and every value passed to rememberSecret().
 * @example redactText('cannot reach postgres://u:pw@db/x') // 'cannot reach postgres://u:***@db/x'
 */
export function redactText(text: string): string {
  let out = text
    .replace(URL_CREDENTIALS, (_, head: string) => `${head}${REDACTED}@`)
    .replace(SECRET_HEADER, (whole, name: string, sep: string, value: string) =>
      TEMPLATE_ONLY.test(value) || value === REDACTED ? whole : `${name}${sep}${REDACTED}`,
    )
    .replace(SECRET_ASSIGNMENT, (_, head: string) => `${head}${REDACTED}`);
  for (const secret of known) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/** The same JSON-like value with redactText() applied to every string in it (keys are names, left as they are). */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactDeep(item)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)])) as T;
  }
  return value;
}
