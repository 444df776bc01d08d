/** Key parsing: what reaches authorized_keys is rebuilt from a checked key, never the pasted text. */
import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { authorizedKeys, parsePublicKey, parsePublicKeys } from '../src/keys.js';
import { loginOf, passwordProblem } from '../src/names.js';
import { renderSshdConfig } from '../src/render/sshd-config.js';

/** An OpenSSH ssh-rsa line of `bits` made here (Node gives the modulus and exponent as JWK). */
function rsaLine(bits: number): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const jwk = publicKey.export({ format: 'jwk' });
  const mpint = (b64: string) => {
    let bytes = Buffer.from(b64, 'base64url');
    if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return bytes;
  };
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, 0].map((_, i) => (b.length >> (24 - 8 * i)) & 0xff)), b]);
  const blob = Buffer.concat([str(Buffer.from('ssh-rsa')), str(mpint(jwk.e!)), str(mpint(jwk.n!))]);
  return `ssh-rsa ${blob.toString('base64')} rsa@test`;
}

const ED = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGk9tq8XqWoGQvVSAkq2O+VtzaTdCf0ijEmyqQ9d0R7k me@laptop';

t.test('a valid ed25519 key is parsed and fingerprinted like ssh-keygen', async (t) => {
  const key = parsePublicKey(ED);
  t.equal(key.type, 'ssh-ed25519');
  t.equal(key.comment, 'me@laptop');
  t.match(key.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
  t.equal(authorizedKeys([key]), `${ED}\n`);
});

t.test('options, second lines, wrong types and small RSA keys are refused', async (t) => {
  t.throws(() => parsePublicKey(`command="/bin/sh" ${ED}`), /key type/);
  t.throws(() => parsePublicKey(`${ED}\nssh-ed25519 AAAA`), /one line/);
  t.throws(() => parsePublicKey('ssh-dss AAAAB3NzaC1kc3M='), /key type/);
  t.throws(() => parsePublicKey('ssh-ed25519 AAAAB3NzaC1yc2E='), /not a ssh-ed25519 key/);
  t.throws(() => parsePublicKey('ssh-ed25519 not*base64'), /base64/);
  t.throws(() => parsePublicKey(rsaLine(1024)), /at least 2048 bits \(this one has 1024\)/);
  t.equal(parsePublicKey(rsaLine(2048)).type, 'ssh-rsa');
});

t.test('a comment cannot carry anything but printable text', async (t) => {
  const key = parsePublicKey(`${ED.split(' ').slice(0, 2).join(' ')} a\u00e9b \t c`);
  t.equal(key.comment, 'ab c');
});

t.test('duplicates collapse; errors carry the index', async (t) => {
  const r = parsePublicKeys([ED, ED]);
  t.ok('keys' in r && r.keys.length === 1);
  const bad = parsePublicKeys([ED, 'junk']);
  t.same('index' in bad && bad.index, 1);
});

t.test('logins fit in 32 characters and start with a letter', async (t) => {
  t.equal(loginOf('shop', 'deploy'), 'shop_deploy');
  t.equal(loginOf('1shop', 'x'), 's1shop_x');
  const long = loginOf('a-very-long-site-name-of-thirty1', 'abcdefghijklmnop');
  t.ok(long.length <= 32, long);
  t.match(long, /^[a-z][a-z0-9_-]*_abcdefghijklmnop$/);
  t.not(long, loginOf('a-very-long-site-name-of-thirty2', 'abcdefghijklmnop'));
});

t.test('passwords: length and no control characters', async (t) => {
  t.ok(passwordProblem('short'));
  t.ok(passwordProblem('abcdefghijkl\u0000'));
  t.equal(passwordProblem('correct horse battery'), null);
});

t.test('sshd_config: no account, nobody; each account its chroot and start folder', async (t) => {
  const o = {
    port: 2222,
    listenAddress: '127.0.0.1',
    hostKeys: ['/k'],
    pidFile: '/p',
    keysDir: '/keys',
    emptyDir: '/empty',
    group: 'hostplane-sftp',
  };
  t.match(renderSshdConfig(o, []), /\nDenyUsers \*\n/);
  const conf = renderSshdConfig(o, [{ login: 'shop_a', chroot: '/srv/sites', home: '/shop' }]);
  t.match(conf, /\nAllowUsers shop_a\n/);
  t.match(conf, /Match User shop_a\n {2}ChrootDirectory "\/srv\/sites"\n {2}ForceCommand internal-sftp -u 0027 -d "\/shop"\n/);
  t.match(conf, /\nChrootDirectory "\/empty"\nForceCommand internal-sftp -R\n/, 'anyone else: empty and read-only');
  t.match(conf, /PermitTTY no/);
  t.throws(() => renderSshdConfig(o, [{ login: 'x', chroot: '/a"b', home: '/x' }]));
});
