import t from 'tap';
import { EventBus } from '../src/events/event-bus.js';
import { Rbac } from '../src/rbac.js';
import { createTenancyService } from '../src/services/tenancy.js';
import { createUsersService } from '../src/services/users-service.js';
import { captureLogger } from './helpers/logger.js';
import { useTestDatabase } from './helpers/database.js';

t.test('tenancy scopes queries to the subtree; grants bound technical users', async (t) => {
  const { knex } = await useTestDatabase(t);
  const rbac = new Rbac();
  rbac.define('sites', {
    'sites.site.read': { description: 'read', roles: ['customer', 'reseller', 'technical_user'] },
    'sites.site.write': { description: 'write', roles: ['customer', 'reseller'] },
    'sites.server.manage': { description: 'servers', roles: [] },
  });
  const created: string[] = [];
  const bus = new EventBus(captureLogger().logger);
  bus.addAfter('test', 'user.created', (p) => {
    created.push(p.role);
  });
  const users = createUsersService({ knex, events: bus.forSource('core'), permissionsOfRole: (r) => rbac.permissionsOf(r) });
  const tenancy = createTenancyService(knex);

  const admin = await users.create({ email: 'admin@x.test', role: 'super_admin' });
  const resA = await users.create({ email: 'a@x.test', role: 'reseller', parentId: admin.id });
  const resB = await users.create({ email: 'b@x.test', role: 'reseller', parentId: admin.id });
  const a1 = await users.create({ email: 'a1@x.test', role: 'customer', parentId: resA.id, password: 'correct horse battery' });
  const b1 = await users.create({ email: 'b1@x.test', role: 'customer', parentId: resB.id });
  const tech = await users.create({ email: 't1@x.test', role: 'technical_user', parentId: a1.id });
  await bus.idle();
  t.same(created, ['super_admin', 'reseller', 'reseller', 'customer', 'customer', 'technical_user'], 'user.created emitted');

  const visible = async (actor: { userId: string; role: 'super_admin' | 'reseller' | 'customer' | 'technical_user' }) =>
    (await tenancy.scope(knex('hostplane.users').select('email'), actor, 'id').orderBy('email')).map(
      (r: { email: string }) => r.email,
    );
  t.same(await visible({ userId: resA.id, role: 'reseller' }), ['a1@x.test', 'a@x.test', 't1@x.test']);
  t.same(await visible({ userId: a1.id, role: 'customer' }), ['a1@x.test', 't1@x.test']);
  t.equal((await visible({ userId: admin.id, role: 'super_admin' })).length, 6);
  t.equal(
    await tenancy.canAccessUser({ userId: resA.id, role: 'reseller' }, b1.id),
    false,
    "reseller A cannot reach B's customer",
  );
  t.equal(await tenancy.canAccessUser({ userId: resA.id, role: 'reseller' }, tech.id), true);
  t.equal(await tenancy.canAccessUser({ userId: resA.id, role: 'reseller' }, 'not-a-uuid'), false);

  t.same([...(await users.permissionsOf(tech))], [], 'a technical user starts with nothing');
  await users.setGrants(tech.id, ['sites.site.read']);
  t.same([...(await users.permissionsOf(tech))], ['sites.site.read']);
  await t.rejects(users.setGrants(tech.id, ['sites.server.manage']), { code: 'USERS_ERR_GRANT_REFUSED' });
  await t.rejects(users.setGrants(a1.id, ['sites.site.read']), { code: 'USERS_ERR_NOT_TECHNICAL' });
  t.ok((await users.permissionsOf(a1)).has('sites.site.write'));

  t.equal((await users.verifyPassword('A1@x.test', 'correct horse battery'))?.id, a1.id);
  t.equal(await users.verifyPassword('a1@x.test', 'wrong'), undefined);
  await users.setStatus(a1.id, 'suspended');
  t.equal((await users.get(a1.id))?.status, 'suspended');
  await users.markEmailVerified(a1.id);
  t.ok((await users.getByEmail('a1@x.test'))?.emailVerifiedAt);
  await t.rejects(users.setStatus('00000000-0000-4000-8000-000000000000', 'active'), { code: 'USERS_ERR_NOT_FOUND' });
});

t.test('the users tree follows moves and deletions (closure table kept by triggers)', async (t) => {
  const { knex } = await useTestDatabase(t);
  const tenancy = createTenancyService(knex);
  const add = async (email: string, role: string, parent: string | null) =>
    ((await knex('hostplane.users').insert({ email, role, parent_id: parent }).returning('id')) as Array<{ id: string }>)[0]!.id;
  const admin = await add('admin@t.test', 'super_admin', null);
  const r1 = await add('r1@t.test', 'reseller', admin);
  const r2 = await add('r2@t.test', 'reseller', admin);
  const c = await add('c@t.test', 'customer', r1);
  const tech = await add('tech@t.test', 'technical_user', c);
  const sees = (userId: string, role: 'reseller' | 'customer', target: string) => tenancy.canAccessUser({ userId, role }, target);
  t.ok(await sees(r1, 'reseller', tech), 'a grandchild is in the subtree');
  t.notOk(await sees(r2, 'reseller', tech));

  // The customer (with its technical user) moves to the other reseller.
  await knex('hostplane.users').where({ id: c }).update({ parent_id: r2 });
  t.notOk(await sees(r1, 'reseller', c), 'the old reseller loses it');
  t.notOk(await sees(r1, 'reseller', tech), 'and its whole subtree');
  t.ok(await sees(r2, 'reseller', tech), 'the new one gains both');
  const depths = await knex('hostplane.user_tree').where({ user_id: tech }).orderBy('depth').pluck('depth');
  t.same(depths, [0, 1, 2, 3], 'one link per ancestor, depths recomputed');

  await knex('hostplane.users').where({ id: tech }).delete();
  t.equal(
    Number((await knex('hostplane.user_tree').where({ user_id: tech }).count({ n: '*' }))[0]!.n),
    0,
    'deleted users leave the tree',
  );
});
