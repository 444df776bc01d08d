/** Names of jobs, schedules and tasks: `<plugin-id>:<local-name>`, both parts kebab-case. */

/** The shape every job, schedule and task name has. */
export const QUALIFIED_NAME = /^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$/;

/** True when `name` is a well-formed `<plugin>:<name>`. */
export function isQualifiedName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= 200 && QUALIFIED_NAME.test(name);
}
