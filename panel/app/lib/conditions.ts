/**
 * Whether a plugin page offers an action or a download (sdk/src/panel.ts): the caller holds its
 * permission and the resource's state passes its `when` tests. Plugins declare there what their
 * route would refuse, so the panel shows no button the API turns down; the route still decides.
 */
import { valueAt } from './placeholders';
import type { PanelCondition } from './types';

type Scalar = string | number | boolean | null;

function matches(value: unknown, allowed: Scalar[]): boolean {
  if (Array.isArray(value)) return value.some((item) => matches(item, allowed));
  const v = value === undefined ? null : value;
  return allowed.some((a) => a === v);
}

/**
 * Every condition holds for `source` (a row or a resource). A row of an array field (an
 * invoice's line) that lacks a field is tested on `parent`, the resource it belongs to.
 */
export function conditionsHold(conditions: PanelCondition[] | undefined, source: unknown, parent?: unknown): boolean {
  return (conditions ?? []).every((c) => matches(valueAt(source, c.field) ?? valueAt(parent, c.field), c.in));
}

/** The caller may use `item` (an action or a download) on `source` (of `parent`, for an array field's row). */
export function offered(
  item: { permission?: string; when?: PanelCondition[] },
  source: unknown,
  permissions: readonly string[],
  parent?: unknown,
): boolean {
  if (item.permission && !permissions.includes(item.permission)) return false;
  return conditionsHold(item.when, source, parent);
}
