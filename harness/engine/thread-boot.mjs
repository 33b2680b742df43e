// Worker threads do not inherit the calling thread's TypeScript loader: register tsx here, then load the entry.
import { register } from 'tsx/esm/api';

register();
await import('./thread-entry.ts');
