// Writes deploy/nginx.conf (the config compose.yaml's nginx mounts) from the Level 4 renderer;
// `--check` only compares and exits 1 when the committed file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { COMPOSE_NGINX_CONF, renderComposeNginxConfig } from '../harness/env/compose.ts';

const target = fileURLToPath(new URL(`../${COMPOSE_NGINX_CONF}`, import.meta.url));
const text = renderComposeNginxConfig();
if (process.argv.includes('--check')) {
  const current = (() => {
    try {
      return readFileSync(target, 'utf8');
    } catch {
      return '';
    }
  })();
  const fresh = current === text;
  process.stderr.write(
    fresh
      ? `${COMPOSE_NGINX_CONF} is up to date\n`
      : `${COMPOSE_NGINX_CONF} is stale: run node --import tsx scripts/render-compose-nginx.ts\n`,
  );
  process.exitCode = fresh ? 0 : 1;
} else {
  writeFileSync(target, text);
  process.stderr.write(`wrote ${COMPOSE_NGINX_CONF}\n`);
}
