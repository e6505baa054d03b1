/**
 * The record checks of domain/validate.ts, loaded on first use and then kept. TypeBox's value
 * checker is slow to load and admin commands never need it; keeping the promise matters too:
 * resolving a dynamic import() on every push showed in the throughput profile (the module
 * loader's file checks).
 */
let validate: Promise<typeof import('../domain/validate.js')> | undefined;

export function loadValidate(): Promise<typeof import('../domain/validate.js')> {
  validate ??= import('../domain/validate.js');
  return validate;
}
