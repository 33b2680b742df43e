// The URL redaction the SUT imports, kept at this path; every redaction lives in lib/redact.ts.
export { isSecretName, redactUrl } from './redact.ts';
