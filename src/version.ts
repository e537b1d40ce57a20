import { createRequire } from 'node:module';

// package.json is one level above both src/ (tests) and dist/ (the built CLI).
const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

export const PLACESIM_VERSION: string = pkg.version;
