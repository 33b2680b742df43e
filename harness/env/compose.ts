// What compose.yaml's nginx runs: the Level 4 config rendered for the two compose SUT nodes, so
// `docker compose up` and `bench:level4` put the same load balancer in front of the nodes.
import { renderNginxConfig, type NginxConfigInput } from './nginx-config.ts';

/** Service names and in-network port of the SUT nodes in compose.yaml. */
export const COMPOSE_NODES = ['node-1', 'node-2'] as const;
export const COMPOSE_SUT_PORT = 3000;
export const COMPOSE_LB_PORT = 8080;
/** Where compose.yaml mounts the rendered file, relative to the repository root. */
export const COMPOSE_NGINX_CONF = 'deploy/nginx.conf';

export const COMPOSE_NGINX_INPUT: NginxConfigInput = {
  listenPort: COMPOSE_LB_PORT,
  upstreams: COMPOSE_NODES.map((name) => ({ url: `http://${name}:${COMPOSE_SUT_PORT}` })),
  // /tmp exists in the nginx image; the image's master runs as root and its workers as "nginx".
  tmpDir: '/tmp',
  user: 'nginx',
};

export function renderComposeNginxConfig(): string {
  return renderNginxConfig(COMPOSE_NGINX_INPUT);
}
