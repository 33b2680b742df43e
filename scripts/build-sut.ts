// Builds .build/sut.mjs, the SUT as one file (lib/sut-build.ts), when it is missing or stale, and prints its
// path. `npm start` and the harness build it themselves on start; the Docker image builds it here, once.
import { ensureSutBuilt } from '../lib/sut-build.ts';

process.stdout.write(`${await ensureSutBuilt()}\n`);
