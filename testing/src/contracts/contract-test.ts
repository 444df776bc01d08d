/**
 * The part of a tap `Test` the shared contract suites use (tap's `t` fits): one type for every
 * suite, so a driver's test hands any of them the same `t`.
 */
export interface ContractTest {
  test(name: string, fn: (t: ContractTest) => Promise<void>): Promise<unknown> | unknown;
  ok(value: unknown, message?: string): unknown;
  equal(found: unknown, wanted: unknown, message?: string): unknown;
  not(found: unknown, notWanted: unknown, message?: string): unknown;
  same(found: unknown, wanted: unknown, message?: string): unknown;
  match(found: unknown, pattern: unknown, message?: string): unknown;
  rejects(promise: Promise<unknown>, expected: unknown, message?: string): Promise<unknown>;
  fail(message: string): unknown;
  comment(message: string): unknown;
  teardown(fn: () => unknown): unknown;
}
