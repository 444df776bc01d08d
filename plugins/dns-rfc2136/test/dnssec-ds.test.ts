/** DS records computed from DNSKEYs agree with BIND's own `dnssec-dsfromkey` on real keys. */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { binariesMissing } from '@hostplane/testing/system-binaries';
import { dsOf, keyTag } from '../src/services/dnssec-ds.js';

const exec = promisify(execFile);
const missing = binariesMissing(['/usr/bin/dnssec-keygen', '/usr/bin/dnssec-dsfromkey'], 'apt-get install bind9');

if (missing) {
  t.plan(0, missing);
} else {
  t.test('a key-signing key gets the DS dnssec-dsfromkey prints; a zone-signing key none', async (t) => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hp-ds-'));
    t.teardown(() => fs.rm(dir, { recursive: true, force: true }));
    for (const [zone, algorithm] of [
      ['Example.TEST', 'ECDSAP256SHA256'],
      ['sub.example.test', 'ECDSAP384SHA384'],
      ['x.example.test', 'ED25519'],
    ] as const) {
      const ksk = (await exec('/usr/bin/dnssec-keygen', ['-q', '-K', dir, '-a', algorithm, '-f', 'KSK', zone])).stdout.trim();
      const zsk = (await exec('/usr/bin/dnssec-keygen', ['-q', '-K', dir, '-a', algorithm, zone])).stdout.trim();
      const parse = async (base: string) => {
        const line = (await fs.readFile(path.join(dir, `${base}.key`), 'utf8')).split('\n').find((l) => /\sDNSKEY\s/.test(l))!;
        const m = /DNSKEY\s+(\d+)\s+(\d+)\s+(\d+)\s+(.+)$/.exec(line)!;
        return { flags: Number(m[1]), protocol: Number(m[2]), algorithm: Number(m[3]), publicKey: m[4]!.replace(/\s+/g, '') };
      };
      const keys = [await parse(ksk), await parse(zsk)];
      const expected = (await exec('/usr/bin/dnssec-dsfromkey', ['-2', path.join(dir, `${ksk}.key`)])).stdout.trim();
      const m = /\sDS\s+(\d+)\s+(\d+)\s+(\d+)\s+([0-9A-F]+)$/.exec(expected)!;
      t.same(
        dsOf(zone, keys),
        [{ keyTag: Number(m[1]), algorithm: Number(m[2]), digestType: Number(m[3]), digest: m[4] }],
        `${zone} ${algorithm}`,
      );
      t.equal(keyTag(keys[0]!), Number(/\+(\d+)$/.exec(ksk)![1]), 'the key tag in the key’s file name');
    }
  });
}
