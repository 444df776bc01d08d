import t from 'tap';
import { loadConfig } from '../src/config.js';

const pg = 'postgres://u@db/hostplane';

t.test('the rate-limit store: memory alone, postgres with DATABASE_URL, redis with HOSTPLANE_REDIS_URL', async (t) => {
  t.equal(loadConfig({}, '/tmp').rateLimitStore, 'memory', 'the embedded database is one process');
  t.equal(loadConfig({ DATABASE_URL: pg }, '/tmp').rateLimitStore, 'postgres', 'hosts on a server share counters');
  const redis = loadConfig({ DATABASE_URL: pg, HOSTPLANE_REDIS_URL: 'redis://127.0.0.1:6379/2' }, '/tmp');
  t.equal(redis.rateLimitStore, 'redis');
  t.equal(redis.redisUrl, 'redis://127.0.0.1:6379/2');
  t.equal(loadConfig({ DATABASE_URL: pg, HOSTPLANE_RATE_LIMIT_STORE: 'memory' }, '/tmp').rateLimitStore, 'memory', 'chosen');
});

t.test('a store that cannot work is refused at boot, naming the variable', async (t) => {
  t.throws(() => loadConfig({ HOSTPLANE_RATE_LIMIT_STORE: 'memcached' }, '/tmp'), {
    code: 'HOST_ERR_CONFIG_INVALID',
    message: /HOSTPLANE_RATE_LIMIT_STORE: must be memory, postgres or redis/,
  });
  t.throws(() => loadConfig({ HOSTPLANE_RATE_LIMIT_STORE: 'redis' }, '/tmp'), { message: /redis needs HOSTPLANE_REDIS_URL/ });
  t.throws(() => loadConfig({ HOSTPLANE_REDIS_URL: 'http://cache:6379' }, '/tmp'), {
    message: /HOSTPLANE_REDIS_URL: must start with redis:\/\/ or rediss:\/\//,
  });
});
