/** `hostplane doctor`: check the machine and the database; exit 1 when something would fail. */
import { runDoctor } from '../../doctor/index.js';
import { print } from '../output.js';
import { usage, type CommandInput } from '../command.js';

const MARK = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;

export async function doctorCommand(input: CommandInput): Promise<number> {
  if (input.args.length > 0) throw usage('usage: hostplane doctor [--json]');
  const results = await runDoctor(input.config);
  const failures = results.filter((r) => r.status === 'fail');
  if (input.options.json) {
    print(input.io, true, { ok: failures.length === 0, checks: results });
  } else {
    const width = Math.max(...results.map((r) => r.check.length));
    for (const r of results) input.io.out(`${MARK[r.status]}  ${r.check.padEnd(width)}  ${r.detail}`);
    const warnings = results.filter((r) => r.status === 'warn').length;
    input.io.out(
      failures.length === 0
        ? `\nNo problems${warnings ? ` (${warnings} warning${warnings > 1 ? 's' : ''})` : ''}.`
        : `\n${failures.length} problem${failures.length > 1 ? 's' : ''}: ${failures.map((f) => f.check).join(', ')}`,
    );
  }
  return failures.length === 0 ? 0 : 1;
}
