/**
 * Imported first by the page and the worker. zod compiles fast parsers with `new Function` after probing whether
 * eval is allowed; under the Content-Security-Policy (no 'unsafe-eval') the probe is refused and reported as a
 * violation. jitless skips the probe and the compiled parsers.
 */
import { z } from 'zod';

z.config({ jitless: true });
