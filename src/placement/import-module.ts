/**
 * `import()` of a user's policy module, in a module of its own. The CLI bundle is a script compiled
 * through a V8 code cache (src/app/code-cache.ts), where `import()` has no loader to go to; this module
 * stays outside the bundle (scripts/bundle.mjs, BUNDLE_ESM_EXTERNALS), an ES module with Node's loader.
 */
export function importModule(url: string): Promise<unknown> {
  return import(url);
}
