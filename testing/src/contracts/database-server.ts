/**
 * The shared contract of the `database-server` extension point: every driver (MariaDB,
 * PostgreSQL, a third party's) runs these cases against a real server. The cases use
 * `node:assert`, so any runner whose test object has `test(name, fn)` works (tap, node:test).
 *
 * ```ts
 * import t from 'tap';
 * import { databaseServerContract } from '@hostplane/testing';
 * databaseServerContract(t, { server: driver, prefix: 'hpct1', canUse: (login) => tryLogin(login) });
 * ```
 */
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import type { DatabaseServer } from '@hostplane/sdk';

/** A login to try with a real client of the engine. */
export interface DatabaseLogin {
  user: string;
  password: string;
  database: string;
}

/** Options of {@link databaseServerContract}. */
export interface DatabaseServerContractOptions {
  /** A started driver (its server ready). */
  server: DatabaseServer;
  /**
   * Unique to this run, `[a-z][a-z0-9]{0,11}`: every database and user the suite makes starts
   * with `<prefix>_` and is dropped at the end, so a shared server is left as it was.
   */
  prefix: string;
  /**
   * Log in as `user` with a real client of the engine, to `database`, create a table there if
   * missing and insert a row. Resolve true when that worked, false when the server refused
   * the login or the privileges; reject on anything else (the server down is not "refused").
   */
  canUse(login: DatabaseLogin): Promise<boolean>;
}

/** The part of a test runner the suite needs (`tap`'s `t`, `node:test`'s `t`). */
export interface ContractRunner {
  test(name: string, fn: () => Promise<void>): unknown;
}

const BAD_NAMES = [
  '',
  'Upper',
  '1starts_with_digit',
  '_underscore_first',
  "quote'",
  'semi;colon',
  'back`tick',
  'dash-ed',
  'nul\u0000',
  'a'.repeat(49),
  'ünï',
  '%',
  'a b',
];

/** Run the contract against `options.server`. */
export function databaseServerContract(t: ContractRunner, options: DatabaseServerContractOptions): void {
  const { server, prefix, canUse } = options;
  assert.match(prefix, /^[a-z][a-z0-9]{0,11}$/, 'prefix must be [a-z][a-z0-9]{0,11}');
  const made = { databases: new Set<string>(), users: new Set<string>() };
  const db = async (suffix: string) => {
    const name = `${prefix}_${suffix}`;
    made.databases.add(name);
    await server.createDatabase(name);
    return name;
  };
  const user = async (suffix: string, password: string) => {
    const name = `${prefix}_${suffix}`;
    made.users.add(name);
    await server.createUser(name, password);
    return name;
  };
  const code = (expected: string) => (err: unknown) => {
    assert.equal((err as { code?: string }).code, expected);
    return true;
  };

  t.test('the server is ready and says where applications reach it', async () => {
    const status = await server.status();
    assert.equal(status.state, 'ready', status.reason ?? '');
    assert.ok(status.version, 'a version');
    assert.ok(status.endpoint && status.endpoint.port > 0 && status.endpoint.host, 'an endpoint');
    assert.ok(server.id && server.engine);
  });

  t.test('databases: create and drop are idempotent', async () => {
    const name = await db('idem');
    await server.createDatabase(name);
    assert.deepEqual(await server.existingDatabases([name, `${prefix}_never`]), [name]);
    await server.dropDatabase(name);
    await server.dropDatabase(name);
    assert.deepEqual(await server.existingDatabases([name]), []);
  });

  t.test('a new user has no privileges until granted, then only on its database', async () => {
    const own = await db('own');
    // `_` is a wildcard in MariaDB's grant tables: a grant on `p_own` must not reach `pxown`.
    const lookalike = `${prefix}xown`;
    made.databases.add(lookalike);
    await server.createDatabase(lookalike);
    const other = await db('other');
    const pw = 'Aa1-contract-password-one';
    const u = await user('u1', pw);
    assert.deepEqual(await server.existingUsers([u]), [u]);
    assert.equal(await canUse({ user: u, password: pw, database: own }), false, 'no privileges before the grant');
    await server.grant(u, own);
    await server.grant(u, own);
    assert.equal(await canUse({ user: u, password: pw, database: own }), true, 'granted database usable');
    assert.equal(await canUse({ user: u, password: pw, database: other }), false, 'another database refused');
    assert.equal(await canUse({ user: u, password: pw, database: lookalike }), false, 'a look-alike name refused');
    assert.deepEqual(await server.grantsOf(u), [own]);
    await server.revoke(u, own);
    await server.revoke(u, own);
    assert.deepEqual(await server.grantsOf(u), []);
    assert.equal(await canUse({ user: u, password: pw, database: own }), false, 'revoked');
  });

  t.test('passwords: set, reset by a repeated create, wrong ones refused', async () => {
    const d = await db('pw');
    const u = await user('u2', 'Aa1-first-password-xyz');
    await server.grant(u, d);
    assert.equal(await canUse({ user: u, password: 'Aa1-first-password-xyz', database: d }), true);
    await server.setPassword(u, 'Aa1-second-password-xyz');
    assert.equal(await canUse({ user: u, password: 'Aa1-first-password-xyz', database: d }), false, 'old password refused');
    assert.equal(await canUse({ user: u, password: 'Aa1-second-password-xyz', database: d }), true);
    await server.createUser(u, 'Aa1-third-password-xyz');
    assert.equal(
      await canUse({ user: u, password: 'Aa1-third-password-xyz', database: d }),
      true,
      'create again sets the password',
    );
    await assert.rejects(server.setPassword(`${prefix}_nobody`, 'Aa1-whatever-xyz'), code('DBSERVER_ERR_MISSING'));
    await assert.rejects(server.grant(`${prefix}_nobody`, d), code('DBSERVER_ERR_MISSING'));
    await assert.rejects(server.grant(u, `${prefix}_nodb`), code('DBSERVER_ERR_MISSING'));
  });

  t.test('a dropped user cannot log in; dropping twice is fine', async () => {
    const d = await db('drop');
    const u = await user('u3', 'Aa1-drop-password-xyz');
    await server.grant(u, d);
    await server.dropUser(u);
    await server.dropUser(u);
    assert.deepEqual(await server.existingUsers([u]), []);
    assert.equal(await canUse({ user: u, password: 'Aa1-drop-password-xyz', database: d }), false);
    assert.deepEqual(await server.grantsOf(u), []);
  });

  t.test('a database in use can be dropped', async () => {
    const d = await db('busy');
    const u = await user('u4', 'Aa1-busy-password-xyz');
    await server.grant(u, d);
    assert.equal(await canUse({ user: u, password: 'Aa1-busy-password-xyz', database: d }), true);
    await server.dropDatabase(d);
    assert.deepEqual(await server.existingDatabases([d]), []);
  });

  t.test('sizes are measured in bytes', async () => {
    const d = await db('size');
    const u = await user('u5', 'Aa1-size-password-xyz');
    await server.grant(u, d);
    await canUse({ user: u, password: 'Aa1-size-password-xyz', database: d });
    const size = await server.sizeOf(d);
    assert.ok(Number.isInteger(size) && size > 0, `size ${size}`);
    await assert.rejects(server.sizeOf(`${prefix}_nodb`), code('DBSERVER_ERR_MISSING'));
  });

  t.test('names outside the pattern are refused before they reach SQL', async () => {
    for (const bad of BAD_NAMES) {
      const refused = code('DBSERVER_ERR_NAME_INVALID');
      await assert.rejects(server.createDatabase(bad), refused, JSON.stringify(bad));
      await assert.rejects(server.dropDatabase(bad), refused, JSON.stringify(bad));
      await assert.rejects(server.createUser(bad, 'Aa1-password-xyz'), refused, JSON.stringify(bad));
      await assert.rejects(server.dropUser(bad), refused, JSON.stringify(bad));
      await assert.rejects(server.grant(bad, `${prefix}_own`), refused, JSON.stringify(bad));
      await assert.rejects(server.sizeOf(bad), refused, JSON.stringify(bad));
    }
  });

  /** A dump as text, and the sink it was written to (to check the driver left it open). */
  const dumpOf = async (database: string): Promise<{ text: string; ended: boolean }> => {
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        cb();
      },
    });
    const result = await server.dump!(database, sink);
    const text = Buffer.concat(chunks).toString('utf8');
    assert.equal(result.bytes, Buffer.byteLength(text), 'bytes counts what was written');
    assert.equal(result.format, server.dumpFormat);
    return { text, ended: sink.writableEnded };
  };
  // Comments and psql's per-dump \restrict keys differ between two dumps of the same data.
  const content = (dump: string): string =>
    dump
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('--') && !/^\\(un)?restrict /.test(l))
      .join('\n');

  t.test('dump and restoreDump come together, with a format', async () => {
    const has = [typeof server.dump, typeof server.restoreDump, typeof server.dumpFormat];
    assert.ok(
      has.join() === 'function,function,string' || has.join() === 'undefined,undefined,undefined',
      `dump, restoreDump and dumpFormat are all there or all absent (${has.join()})`,
    );
  });

  if (typeof server.dump === 'function' && typeof server.restoreDump === 'function') {
    t.test('a dump restores the database as it was; its user keeps its privileges', async () => {
      const d = await db('dump');
      const pw = 'Aa1-dump-password-xyz';
      const u = await user('u6', pw);
      await server.grant(u, d);
      assert.equal(await canUse({ user: u, password: pw, database: d }), true);
      const first = await dumpOf(d);
      assert.equal(first.ended, false, 'the driver leaves the output open');
      assert.match(first.text, /hp_contract/, 'the table is in the dump');
      assert.equal(content((await dumpOf(d)).text), content(first.text), 'the same data dumps the same');
      assert.equal(await canUse({ user: u, password: pw, database: d }), true, 'a second row');
      const changed = await dumpOf(d);
      assert.notEqual(content(changed.text), content(first.text), 'the dump follows the data');
      await server.restoreDump!(d, Readable.from([Buffer.from(first.text)]));
      assert.equal(content((await dumpOf(d)).text), content(first.text), 'restored as dumped');
      assert.deepEqual(await server.grantsOf(u), [d], 'grants survive the restore');
      assert.equal(await canUse({ user: u, password: pw, database: d }), true, 'the user still works on it');
      await server.restoreDump!(d, Readable.from([Buffer.from(first.text)]));
      assert.equal(content((await dumpOf(d)).text), content(first.text), 'restoring again gives the same');
    });

    t.test('a dump whose reader fails, or an input that breaks off, is an error', async () => {
      const d = await db('cut');
      const u = await user('u7', 'Aa1-cut-password-xyz');
      await server.grant(u, d);
      await canUse({ user: u, password: 'Aa1-cut-password-xyz', database: d });
      const whole = (await dumpOf(d)).text;
      const broken = new Writable({
        write(_chunk, _enc, cb) {
          cb(new Error('reader went away'));
        },
      });
      broken.on('error', () => undefined);
      await assert.rejects(server.dump!(d, broken), 'a dump into a failing output rejects');
      // Half the dump, then an error while the driver reads: what a failing `restic dump` gives.
      let sent = false;
      const half = new Readable({
        read() {
          if (sent) return void setTimeout(() => this.destroy(new Error('input broke off')), 20);
          sent = true;
          this.push(whole.slice(0, Math.floor(whole.length / 2)));
        },
      });
      await assert.rejects(server.restoreDump!(d, half), 'an input that breaks off rejects');
      await server.restoreDump!(d, Readable.from([Buffer.from(whole)]));
      assert.equal(content((await dumpOf(d)).text), content(whole), 'the next restore repairs it');
    });

    t.test('dumps of missing databases and bad names are refused', async () => {
      const sink = new Writable({ write: (_c, _e, cb) => cb() });
      await assert.rejects(server.dump!(`${prefix}_nodb`, sink), code('DBSERVER_ERR_MISSING'));
      await assert.rejects(server.restoreDump!(`${prefix}_nodb`, Readable.from([])), code('DBSERVER_ERR_MISSING'));
      for (const bad of ["quote'", 'semi;colon', '--help', 'a b', 'nul\u0000']) {
        await assert.rejects(server.dump!(bad, sink), code('DBSERVER_ERR_NAME_INVALID'), JSON.stringify(bad));
        await assert.rejects(server.restoreDump!(bad, Readable.from([])), code('DBSERVER_ERR_NAME_INVALID'), JSON.stringify(bad));
      }
    });
  }

  t.test('the suite leaves nothing behind', async () => {
    for (const u of made.users) await server.dropUser(u);
    for (const d of made.databases) await server.dropDatabase(d);
    assert.deepEqual(await server.existingUsers([...made.users]), []);
    assert.deepEqual(await server.existingDatabases([...made.databases]), []);
  });
}
