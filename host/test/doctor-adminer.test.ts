/** `hostplane doctor` checks Adminer's script only when webserver-nginx serves Adminer. */
import t from 'tap';
import { checkBinaries, type NginxSettings } from '../src/doctor/system.js';

const base: NginxSettings = {
  root: '/tmp/hp',
  nginxBinary: '/usr/sbin/nginx',
  phpFpmDir: '/usr/sbin',
  httpPort: 8080,
  listenAddress: '127.0.0.1',
};

t.test('no adminerPort: no Adminer check', async (t) => {
  t.notOk(checkBinaries(base).some((r) => r.check === 'adminer'));
});

t.test('an adminerPort with a missing script fails, naming the package', async (t) => {
  const result = checkBinaries({ ...base, adminerPort: 8081, adminerScript: '/nonexistent/adminer.php' }).find(
    (r) => r.check === 'adminer',
  );
  t.equal(result?.status, 'fail');
  t.match(result?.detail, /apt-get install adminer/);
});
