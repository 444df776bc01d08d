import t from 'tap';
import {
  createUser,
  getUserByEmail,
  getUserById,
  hashPassword,
  listUsers,
  setUserPassword,
  verifyPassword,
  verifyUserPassword,
} from '../src/services/users.js';
import { useTestDatabase } from './helpers/database.js';

const { knex } = await useTestDatabase(t);

t.test('passwords hash with argon2id at OWASP parameters and verify', async (t) => {
  const hash = await hashPassword('correct horse battery staple');
  t.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  t.not(await hashPassword('correct horse battery staple'), hash, 'salted');
  t.equal(await verifyPassword(hash, 'correct horse battery staple'), true);
  t.equal(await verifyPassword(hash, 'wrong'), false);
  t.equal(await verifyPassword('not a hash', 'x'), false, 'a malformed hash is a mismatch, not a crash');
  t.equal(await verifyPassword('$argon2id$garbage', 'x'), false);
});

t.test('the user tree: platform → reseller → customer → technical user', async (t) => {
  await t.rejects(
    createUser(knex, { email: 'early@example.com', role: 'customer' }),
    { code: 'USERS_ERR_PARENT_INVALID', message: /needs a parent .*no administrator yet/ },
    'before any administrator, a customer without a parent has nowhere to go',
  );
  const root = await createUser(knex, {
    email: ' Root@Example.com ',
    name: ' Root ',
    role: 'super_admin',
    password: 'rootpassword',
  });
  t.match(root, {
    email: 'root@example.com',
    name: 'Root',
    role: 'super_admin',
    parentId: null,
    status: 'active',
    hasPassword: true,
  });
  t.notOk('passwordHash' in root || 'password_hash' in root, 'no hash handed out');
  t.ok(!Number.isNaN(Date.parse(root.createdAt)));

  const direct = await createUser(knex, { email: 'direct@example.com', role: 'reseller', parentId: null });
  t.equal(direct.parentId, null, 'a reseller may stand alone when told so');
  t.equal(direct.hasPassword, false);
  const reseller = await createUser(knex, { email: 'reseller@example.com', role: 'reseller', parentId: root.id });
  const customer = await createUser(knex, { email: 'customer@example.com', role: 'customer', parentId: reseller.id });
  await createUser(knex, { email: 'platform-customer@example.com', role: 'customer', parentId: root.id });
  const tech = await createUser(knex, { email: 'tech@example.com', role: 'technical_user', parentId: customer.id });
  t.equal(tech.parentId, customer.id);

  // A second, newer administrator: "the platform" stays the first one.
  await createUser(knex, { email: 'second-admin@example.com', role: 'super_admin' });
  const defaulted = await createUser(knex, { email: 'no-parent-customer@example.com', role: 'customer' });
  t.equal(defaulted.parentId, root.id, 'a customer named without a parent hangs under the platform');
  const defaultedReseller = await createUser(knex, { email: 'no-parent-reseller@example.com', role: 'reseller' });
  t.equal(defaultedReseller.parentId, root.id, 'so does a reseller');

  const wrong: Array<[string, Parameters<typeof createUser>[1]]> = [
    ['root under root', { email: 'a1@example.com', role: 'super_admin', parentId: root.id }],
    ['reseller under reseller', { email: 'a2@example.com', role: 'reseller', parentId: reseller.id }],
    ['customer with no parent on purpose', { email: 'a3@example.com', role: 'customer', parentId: null }],
    ['customer under customer', { email: 'a4@example.com', role: 'customer', parentId: customer.id }],
    ['tech under reseller', { email: 'a5@example.com', role: 'technical_user', parentId: reseller.id }],
    ['tech without parent', { email: 'a6@example.com', role: 'technical_user' }],
    ['unknown parent', { email: 'a7@example.com', role: 'customer', parentId: '00000000-0000-4000-8000-000000000000' }],
    ['parent not a uuid', { email: 'a8@example.com', role: 'customer', parentId: 'root' }],
  ];
  for (const [why, input] of wrong) {
    await t.rejects(createUser(knex, input), { code: 'USERS_ERR_PARENT_INVALID', statusCode: 400 }, why);
  }

  await knex('hostplane.users').where({ id: reseller.id }).update({ deleted_at: knex.fn.now(), status: 'deleted' });
  await t.rejects(createUser(knex, { email: 'late@example.com', role: 'customer', parentId: reseller.id }), {
    code: 'USERS_ERR_PARENT_INVALID',
  });
});

t.test('an address is taken once, whatever its case', async (t) => {
  await createUser(knex, { email: 'taken@example.com', role: 'reseller' });
  await t.rejects(createUser(knex, { email: 'TAKEN@example.com', role: 'reseller' }), {
    code: 'USERS_ERR_EMAIL_TAKEN',
    statusCode: 409,
  });
  const racers = await Promise.allSettled([
    createUser(knex, { email: 'race@example.com', role: 'reseller' }),
    createUser(knex, { email: 'race@example.com', role: 'reseller' }),
  ]);
  t.equal(racers.filter((r) => r.status === 'fulfilled').length, 1, 'one of two concurrent sign-ups wins');
  t.match(
    racers.find((r) => r.status === 'rejected'),
    { reason: { code: 'USERS_ERR_EMAIL_TAKEN' } },
  );
});

t.test('bad input is refused with codes', async (t) => {
  for (const email of ['', 'no-at-sign', 'a@', '@b.c', 'a b@c.d', 'a@b..c', `${'x'.repeat(65)}@example.com`, 42]) {
    await t.rejects(
      createUser(knex, { email: email as string, role: 'reseller' }),
      { code: 'USERS_ERR_EMAIL_INVALID', statusCode: 400 },
      String(email),
    );
  }
  await t.rejects(createUser(knex, { email: 'r@example.com', role: 'god' as never }), { code: 'USERS_ERR_ROLE_INVALID' });
  await t.rejects(createUser(knex, { email: 'p@example.com', role: 'reseller', password: 'short' }), {
    code: 'USERS_ERR_PASSWORD_INVALID',
  });
  await t.rejects(createUser(knex, { email: 'p@example.com', role: 'reseller', password: 'x'.repeat(1025) }), {
    code: 'USERS_ERR_PASSWORD_INVALID',
  });
  await t.rejects(createUser(knex, { email: 'n@example.com', role: 'reseller', name: 'x'.repeat(201) }), {
    code: 'USERS_ERR_NAME_INVALID',
  });
  await t.rejects(createUser(knex, { email: 'n@example.com', role: 'reseller', name: 'a\nb' }), {
    code: 'USERS_ERR_NAME_INVALID',
  });
  await t.rejects(listUsers(knex, { role: 'god' as never }), { code: 'USERS_ERR_FILTER_INVALID' });
  await t.rejects(listUsers(knex, { limit: 0 }), { code: 'USERS_ERR_FILTER_INVALID' });
});

t.test('lists and lookups never include password hashes or deleted users', async (t) => {
  const resellers = await listUsers(knex, { role: 'reseller' });
  t.ok(resellers.length >= 2);
  t.ok(resellers.every((u) => u.role === 'reseller' && u.status !== 'deleted'));
  t.notOk(
    resellers.some((u) => u.email === 'reseller@example.com'),
    'the deleted reseller is not listed',
  );
  t.equal((await listUsers(knex, { limit: 2 })).length, 2);
  for (const user of await listUsers(knex)) t.notOk(JSON.stringify(user).includes('argon2'));

  const root = await getUserByEmail(knex, 'ROOT@example.com ');
  t.match(root, { email: 'root@example.com', hasPassword: true });
  t.notOk(JSON.stringify(root).includes('argon2'));
  t.equal(await getUserByEmail(knex, 'nobody@example.com'), undefined);
  t.equal(await getUserByEmail(knex, 'not an address'), undefined);
  t.same(await getUserById(knex, root!.id), root);
  t.equal(await getUserById(knex, 'nope'), undefined);
  t.equal(await getUserByEmail(knex, 'reseller@example.com'), undefined, 'deleted users are not found by email');
});

t.test('credentials: right password gives the user, anything else nothing', async (t) => {
  t.match(await verifyUserPassword(knex, 'Root@example.com', 'rootpassword'), { email: 'root@example.com' });
  t.equal(await verifyUserPassword(knex, 'root@example.com', 'wrongpassword'), undefined);
  t.equal(await verifyUserPassword(knex, 'nobody@example.com', 'rootpassword'), undefined);
  t.equal(await verifyUserPassword(knex, 'direct@example.com', ''), undefined, 'no password set');
  t.equal(await verifyUserPassword(knex, 'bad address', 'x'), undefined);

  const direct = (await getUserByEmail(knex, 'direct@example.com'))!;
  t.equal(await setUserPassword(knex, direct.id, 'a new password'), true);
  t.match(await verifyUserPassword(knex, 'direct@example.com', 'a new password'), { id: direct.id, hasPassword: true });
  t.equal(await setUserPassword(knex, direct.id, null), true);
  t.equal(await verifyUserPassword(knex, 'direct@example.com', 'a new password'), undefined);
  await t.rejects(setUserPassword(knex, direct.id, 'short'), { code: 'USERS_ERR_PASSWORD_INVALID' });
  t.equal(await setUserPassword(knex, '00000000-0000-4000-8000-000000000000', 'long enough'), false);
  t.equal(await setUserPassword(knex, 'nope', 'long enough'), false);
});
