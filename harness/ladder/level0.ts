// Level 0: one worker, cache off — the baseline every other level is compared with.
import type { LevelDefinition } from './run-level.ts';

export const LEVEL0: LevelDefinition = {
  key: 'level0',
  deploy: () => ({ workers: 1, needRedis: false, env: { CACHE: 'off' } }),
};
