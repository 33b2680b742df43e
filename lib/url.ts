// Secrets made safe to print: the one place that hides a password or says which names hold secrets.

/** Hides the password of a connection URL so it can be printed. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable URL>';
  }
}

const SECRET_NAME = /authorization|cookie|token|secret|password|passwd|api-?key/i;

/** True for a header or variable name that holds a secret (AUTH_SECRET, Authorization, x-api-key, …). */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** The same record with every secret-named value replaced, for run.json's config. */
export function redactSecretValues(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, v]) => [name, isSecretName(name) ? '(redacted)' : v]));
}
