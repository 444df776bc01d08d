/** The renderers and validators alone: pure functions, no NGINX needed. */
import t from 'tap';
import { assertValidSpec, bracesBalanced, isDomain, siteUserName } from '../src/names.js';
import { renderMainConfig, renderSiteConfig, serverNames } from '../src/render/nginx.js';
import { renderFpmMain, renderSitePool } from '../src/render/php-fpm.js';
import { nginxString, phpString, safePath } from '../src/render/quote.js';
import { checkArchiveEntries, renderWpConfig } from '../src/services/wordpress.js';
import { nginxError } from '../src/services/checks.js';
import { site } from './helpers.js';

const base = {
  listen: '127.0.0.1:8080',
  documentRoot: '/srv/hp/sites/shop/public',
  logsDir: '/srv/hp/sites/shop/logs',
  confDir: '/srv/hp/nginx',
  acmeDir: '/srv/hp/acme-challenge',
  tls: null,
};

t.test('main config: prefix-local paths, user, default server and the sites include', async (t) => {
  const conf = renderMainConfig({
    prefix: '/srv/hp',
    pidFile: '/srv/hp/run/nginx.pid',
    logsDir: '/srv/hp/logs',
    tmpDir: '/srv/hp/tmp',
    confDir: '/srv/hp/nginx',
    sitesConfDir: '/srv/hp/nginx/sites',
    listen: '127.0.0.1:8080',
    user: 'www-data',
    workerProcesses: 0,
  });
  t.match(conf, /^user www-data;$/m);
  t.match(conf, /^worker_processes auto;$/m);
  t.match(conf, /^pid \/srv\/hp\/run\/nginx\.pid;$/m);
  for (const temp of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
    t.match(conf, new RegExp(`${temp}_temp_path /srv/hp/tmp/${temp};`));
  t.match(conf, /listen 127\.0\.0\.1:8080 default_server;/);
  t.match(conf, /return 404 '<!doctype html>/);
  t.match(conf, /include \/srv\/hp\/nginx\/sites\/\*\.conf;/);
  const noRoot = renderMainConfig({
    prefix: '/p',
    pidFile: '/p/run/nginx.pid',
    logsDir: '/p/logs',
    tmpDir: '/p/tmp',
    confDir: '/p/nginx',
    sitesConfDir: '/p/nginx/sites',
    listen: '*:8080',
    user: null,
    workerProcesses: 2,
  });
  t.notMatch(noRoot, /^user /m, 'no user directive when not root');
  t.match(noRoot, /worker_processes 2;/);
});

t.test('server names: every domain plus <name>.localhost', async (t) => {
  t.same(serverNames({ name: 'shop', domains: ['shop.example.com', 'www.shop.example.com'] }), [
    'shop.example.com',
    'www.shop.example.com',
    'shop.localhost',
  ]);
  t.throws(() => serverNames({ name: 'shop', domains: ['bad host'] }));
});

t.test('static site: root, logs, body size, try_files, dotfiles denied', async (t) => {
  const conf = renderSiteConfig({
    ...base,
    site: site('shop', { resources: { phpMemoryMb: 128, phpMaxChildren: 2, uploadMaxMb: 33 } }),
    phpSocket: null,
  });
  t.match(conf, /server_name shop\.example\.test shop\.localhost;/);
  t.match(conf, /root \/srv\/hp\/sites\/shop\/public;/);
  t.match(conf, /access_log \/srv\/hp\/sites\/shop\/logs\/access\.log hostplane;/);
  t.match(conf, /error_log \/srv\/hp\/sites\/shop\/logs\/error\.log;/);
  t.match(conf, /client_max_body_size 33m;/);
  t.match(conf, /try_files \$uri \$uri\/ =404;/);
  t.match(conf, /location ~ \/\\\. \{\n\s+deny all;/);
  t.notMatch(conf, /fastcgi_pass/);
});

t.test('php site: fastcgi to its own pool socket', async (t) => {
  const conf = renderSiteConfig({
    ...base,
    site: site('shop', { kind: 'php', phpVersion: '8.2' }),
    phpSocket: '/srv/hp/run/shop-8.2.sock',
  });
  t.match(conf, /location ~ \\\.php\$ \{/);
  t.match(conf, /fastcgi_pass unix:\/srv\/hp\/run\/shop-8\.2\.sock;/);
  t.match(conf, /include \/srv\/hp\/nginx\/fastcgi_params;/);
  t.match(conf, /index index\.php/);
  t.throws(() => renderSiteConfig({ ...base, site: site('shop', { kind: 'php', phpVersion: '8.2' }), phpSocket: null }));
});

t.test('wordpress site: front controller try_files, wp-config and uploads PHP denied', async (t) => {
  const conf = renderSiteConfig({
    ...base,
    site: site('blog', { kind: 'wordpress', phpVersion: '8.2' }),
    phpSocket: '/srv/hp/run/blog-8.2.sock',
  });
  t.match(conf, /try_files \$uri \$uri\/ \/index\.php\?\$args;/);
  t.match(conf, /location = \/wp-config\.php \{\n\s+deny all;/);
  t.match(conf, /uploads\/\.\*\\\.php\$ \{\n\s+deny all;/);
});

t.test('nodejs site: proxy to 127.0.0.1:port with forwarding headers', async (t) => {
  const conf = renderSiteConfig({
    ...base,
    site: site('app', { kind: 'nodejs', nodejs: { command: ['node', 'server.js'], port: 3100, env: {} } }),
    phpSocket: null,
  });
  t.match(conf, /proxy_pass http:\/\/127\.0\.0\.1:3100;/);
  t.match(conf, /proxy_set_header Host \$host;/);
  t.match(conf, /proxy_set_header X-Forwarded-For/);
});

t.test('suspended site: 503 page for every path, nothing else', async (t) => {
  const conf = renderSiteConfig({
    ...base,
    site: site('shop', { kind: 'php', phpVersion: '8.2', state: 'suspended' }),
    phpSocket: null,
  });
  t.match(conf, /return 503 '<!doctype html>.*Website suspended/);
  t.match(conf, /Retry-After 3600 always/);
  t.notMatch(conf, /fastcgi_pass|try_files/);
});

t.test('extra directives go inside the server block, indented', async (t) => {
  const conf = renderSiteConfig({
    ...base,
    site: site('shop', { extraDirectives: 'add_header X-A 1;\nadd_header X-B 2;' }),
    phpSocket: null,
  });
  t.match(conf, / {4}add_header X-A 1;\n {4}add_header X-B 2;\n}\n$/);
});

t.test('pool: own user, socket owned by the web user, limits, open_basedir', async (t) => {
  const pool = renderSitePool({
    site: site('shop', { kind: 'php', phpVersion: '8.2', resources: { phpMemoryMb: 256, phpMaxChildren: 7, uploadMaxMb: 20 } }),
    socket: '/srv/hp/run/shop-8.2.sock',
    user: 'hp-shop',
    listenOwner: 'www-data',
    documentRoot: '/srv/hp/sites/shop/public',
    tmpDir: '/srv/hp/sites/shop/tmp',
    logsDir: '/srv/hp/sites/shop/logs',
  });
  t.match(pool, /^\[shop\]$/m);
  t.match(pool, /^user = hp-shop$/m);
  t.match(pool, /^group = hp-shop$/m);
  t.match(pool, /^listen = \/srv\/hp\/run\/shop-8\.2\.sock$/m);
  t.match(pool, /^listen\.owner = www-data$/m);
  t.match(pool, /^listen\.mode = 0660$/m);
  t.match(pool, /^pm = ondemand$/m);
  t.match(pool, /^pm\.max_children = 7$/m);
  t.match(pool, /^php_admin_value\[memory_limit\] = 256M$/m);
  t.match(pool, /^php_admin_value\[upload_max_filesize\] = 20M$/m);
  t.match(pool, /^php_admin_value\[post_max_size\] = 20M$/m);
  t.match(pool, /^php_admin_value\[open_basedir\] = \/srv\/hp\/sites\/shop\/public\/:\/srv\/hp\/sites\/shop\/tmp\/$/m);
  const asMe = renderSitePool({
    site: site('shop', { kind: 'php', phpVersion: '8.2' }),
    socket: '/s.sock',
    user: null,
    listenOwner: null,
    documentRoot: '/d',
    tmpDir: '/t',
    logsDir: '/l',
  });
  t.notMatch(asMe, /^user =|^listen\.owner/m, 'no user lines in current-user mode');
  t.match(asMe, /^php_admin_value\[display_errors\] = Off$/m);
  t.notMatch(asMe, /max_execution_time/, 'PHP’s own time limit without settings of the site');
  // The site's own PHP settings, never above the package's resources.
  const tuned = renderSitePool({
    site: {
      ...site('shop', { kind: 'php', phpVersion: '8.2' }),
      php: { memoryLimitMb: 99_999, uploadMaxMb: 4, maxExecutionSeconds: 45, displayErrors: true },
    },
    socket: '/s.sock',
    user: null,
    listenOwner: null,
    documentRoot: '/d',
    tmpDir: '/t',
    logsDir: '/l',
  });
  t.match(tuned, /^php_admin_value\[memory_limit\] = 128M$/m, "capped by the resources (the helper site's 128 MB)");
  t.match(tuned, /^php_admin_value\[upload_max_filesize\] = 4M$/m);
  t.match(tuned, /^php_admin_value\[max_execution_time\] = 45$/m);
  t.match(tuned, /^php_admin_value\[display_errors\] = On$/m);
  t.throws(() =>
    assertValidSpec(
      {
        ...site('shop', { kind: 'php', phpVersion: '8.2' }),
        php: { memoryLimitMb: 99_999, uploadMaxMb: 4, maxExecutionSeconds: 45, displayErrors: true },
      },
      ['8.2'],
    ),
  );
  t.match(
    renderFpmMain({ pidFile: '/p/run/fpm.pid', logFile: '/p/logs/fpm.log', poolDir: '/p/pools' }),
    /include = \/p\/pools\/\*\.conf/,
  );
});

t.test('validation refuses hostile names, domains and settings', async (t) => {
  const ok = site('shop');
  t.doesNotThrow(() => assertValidSpec(ok, ['8.2']));
  const refused: Array<[string, Partial<typeof ok>]> = [
    ['newline', { domains: ['a.example.com\nserver_name evil'] }],
    ['semicolon', { domains: ['a.example.com;'] }],
    ['space', { domains: ['a example.com'] }],
    ['dollar', { domains: ['$host.example.com'] }],
    ['cyrillic', { domains: ['exаmple.com'] }],
    ['upper case', { domains: ['Example.com'] }],
    ['label too long', { domains: [`${'a'.repeat(64)}.com`] }],
    ['leading hyphen', { domains: ['-a.example.com'] }],
    ['single label', { domains: ['localhost'] }],
    ['numeric tld', { domains: ['10.0.0.1'] }],
    ['duplicate', { domains: ['a.example.com', 'a.example.com'] }],
    ['no domain', { domains: [] }],
    ['traversal name', { name: '../x' }],
    ['dot name', { name: 'a.b' }],
    ['long name', { name: 'a'.repeat(32) }],
    ['bad id', { id: 'x' }],
    ['php without version', { kind: 'php', phpVersion: null }],
    ['php version not here', { kind: 'php', phpVersion: '7.4' }],
    ['wordpress without settings', { kind: 'wordpress', phpVersion: '8.2' }],
    ['nodejs without settings', { kind: 'nodejs' }],
    ['nodejs low port', { kind: 'nodejs', nodejs: { command: ['node'], port: 80, env: {} } }],
    ['nodejs empty command', { kind: 'nodejs', nodejs: { command: [], port: 3000, env: {} } }],
    ['nodejs bad env', { kind: 'nodejs', nodejs: { command: ['node'], port: 3000, env: { 'A=B': 'x' } } }],
    ['memory', { resources: { phpMemoryMb: 1, phpMaxChildren: 1, uploadMaxMb: 1 } }],
    ['extra closes block', { extraDirectives: '}' }],
    ['extra opens block', { extraDirectives: 'location / {' }],
    ['extra control char', { extraDirectives: 'add_header X \u0001;' }],
  ];
  for (const [label, overrides] of refused) {
    t.throws(
      () => assertValidSpec({ ...ok, ...overrides } as typeof ok, ['8.2']),
      { code: 'WEBSERVER_ERR_CONFIG_REJECTED' },
      label,
    );
  }
  t.ok(isDomain('xn--80ak6aa92e.com'), 'punycode is fine');
  t.ok(bracesBalanced('location /x { return 200 "}"; } # }'), 'braces in strings and comments do not count');
});

t.test('quoting: NGINX strings refuse variables, paths refuse anything odd, PHP strings escape', async (t) => {
  t.equal(nginxString("it's"), "'it\\'s'");
  t.throws(() => nginxString('$host'));
  t.throws(() => safePath('/srv/a b'));
  t.throws(() => safePath('/srv/../etc'));
  t.throws(() => safePath('relative'));
  t.equal(phpString("a'b\\c"), "'a\\'b\\\\c'");
});

t.test('site users: hp-<name>, hashed when too long for useradd', async (t) => {
  t.equal(
    siteUserName('shop', () => 'x'),
    'hp-shop',
  );
  const long = siteUserName('a'.repeat(31), () => 'deadbeefcafe');
  t.ok(long.length <= 32);
  t.equal(long, `hp-${'a'.repeat(20)}-deadbeef`);
});

t.test("site users carry the install's tag: hp<tag>-<name>, still at most 32 characters", async (t) => {
  t.equal(
    siteUserName('shop', () => 'x', 'k3z9'),
    'hpk3z9-shop',
  );
  const long = siteUserName('a'.repeat(31), () => 'deadbeefcafe', 'k3z9');
  t.equal(long, `hpk3z9-${'a'.repeat(16)}-deadbeef`);
  t.ok(long.length <= 32);
});

t.test('nginx errors are reduced to their message', async (t) => {
  t.equal(
    nginxError(
      'nginx: [emerg] unknown directive "x" in /r/nginx/sites/a.conf:12\nnginx: configuration file /r/nginx/nginx.conf test failed\n',
    ),
    'unknown directive "x" in /r/nginx/sites/a.conf:12',
  );
});

t.test('WordPress: archive entries must stay inside wordpress/, wp-config escapes values', async (t) => {
  t.equal(checkArchiveEntries(['wordpress/', 'wordpress/index.php']), null);
  t.match(checkArchiveEntries(['wordpress/../../etc/passwd']), /escaping/);
  t.match(checkArchiveEntries(['/etc/passwd']), /absolute/);
  t.match(checkArchiveEntries(['other/index.php']), /outside wordpress/);
  t.match(checkArchiveEntries([]), /empty/);
  const conf = renderWpConfig(
    { host: 'localhost', name: 'wp', user: 'wp', password: "p'ss\\word", tablePrefix: 'wp_' },
    () => 'salt',
  );
  t.match(conf, /define\('DB_PASSWORD', 'p\\'ss\\\\word'\);/);
  t.match(conf, /\$table_prefix = 'wp_';/);
  t.equal(conf.match(/'salt'/g)?.length, 8, 'eight salts');
  const a = renderWpConfig({ host: 'h', name: 'n', user: 'u', password: 'p', tablePrefix: 'wp_' });
  const b = renderWpConfig({ host: 'h', name: 'n', user: 'u', password: 'p', tablePrefix: 'wp_' });
  t.not(a, b, 'fresh salts each time');
});

t.test('tls: an HTTPS server block beside the HTTP one; HSTS and the redirect are switches', async (t) => {
  const tls = { listen: '127.0.0.1:443', certificateFile: '/srv/hp/nginx/tls/shop.crt', keyFile: '/srv/hp/nginx/tls/shop.key' };
  const both = renderSiteConfig({ ...base, site: site('shop'), phpSocket: null, tls: { ...tls, forceHttps: false, hsts: true } });
  t.equal(both.match(/^server \{/gm)?.length, 2, 'two server blocks');
  t.match(both, /listen 127\.0\.0\.1:443 ssl http2;\n\s+server_name shop\.example\.test shop\.localhost;/);
  t.match(both, /ssl_certificate \/srv\/hp\/nginx\/tls\/shop\.crt;\n\s+ssl_certificate_key \/srv\/hp\/nginx\/tls\/shop\.key;/);
  t.match(both, /add_header Strict-Transport-Security "max-age=63072000" always;/);
  t.equal(both.match(/try_files \$uri \$uri\/ =404;/g)?.length, 2, 'the site is served on both');
  t.match(both, /location \^~ \/\.well-known\/acme-challenge\/ \{\n\s+alias \/srv\/hp\/acme-challenge\/;/);

  const forced = renderSiteConfig({
    ...base,
    site: site('shop'),
    phpSocket: null,
    tls: { ...tls, forceHttps: true, hsts: false },
  });
  t.match(forced, /return 301 https:\/\/\$host\$request_uri;/, 'no port in the redirect to 443');
  t.notMatch(forced, /Strict-Transport-Security/);
  t.equal(forced.match(/try_files \$uri \$uri\/ =404;/g)?.length, 1, 'HTTP only redirects (and answers ACME)');
  const other = renderSiteConfig({
    ...base,
    site: site('shop'),
    phpSocket: null,
    tls: { ...tls, listen: '127.0.0.1:8443', forceHttps: true, hsts: false },
  });
  t.match(other, /return 301 https:\/\/\$host:8443\$request_uri;/);
  t.throws(() =>
    renderSiteConfig({
      ...base,
      site: site('shop'),
      phpSocket: null,
      tls: { ...tls, certificateFile: '/x y', forceHttps: false, hsts: false },
    }),
  );
});

t.test('main config: Mozilla intermediate TLS settings', async (t) => {
  const conf = renderMainConfig({
    prefix: '/srv/hp',
    pidFile: '/srv/hp/run/nginx.pid',
    logsDir: '/srv/hp/logs',
    tmpDir: '/srv/hp/tmp',
    confDir: '/srv/hp/nginx',
    sitesConfDir: '/srv/hp/nginx/sites',
    listen: '127.0.0.1:8080',
    user: null,
    workerProcesses: 1,
  });
  t.match(conf, /ssl_protocols TLSv1\.2 TLSv1\.3;/);
  t.match(conf, /ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:/);
  t.match(conf, /ssl_session_tickets off;/);
});
