/**
 * sshd_config of the managed SFTP server. Everything about a login is decided here:
 * - only logins of live accounts get in (`AllowUsers` and `AllowGroups` must both match);
 * - each account is chrooted to the folder holding the sites (root-owned, as sshd demands) and
 *   starts in its site's folder; other sites' folders belong to other users (mode 0750), so it
 *   can enter none of them, and nothing outside the chroot exists for it;
 * - `internal-sftp` is the only thing it can run (no shell, no forwarding, no TTY), with umask
 *   027: new files 0640 and folders 0750, the site's modes (folders under the document root
 *   inherit its setgid bit and the web server's group).
 * A login that matches no block below falls to the global defaults: an empty chroot, read-only.
 */
export interface RenderedAccount {
  login: string;
  /** Absolute, root-owned folder the account is chrooted to. */
  chroot: string;
  /** The site's folder inside the chroot (`/shop`). */
  home: string;
}

export interface SshdOptions {
  port: number;
  listenAddress: string;
  hostKeys: string[];
  pidFile: string;
  keysDir: string;
  emptyDir: string;
  group: string;
}

/** sshd_config takes a path with spaces only in quotes; ours never have quotes or newlines. */
function q(value: string): string {
  if (/["\n\r\0]/.test(value))
    throw new Error(`refusing a path with quotes or newlines in sshd_config: ${JSON.stringify(value)}`);
  return `"${value}"`;
}

export function renderSshdConfig(o: SshdOptions, accounts: readonly RenderedAccount[]): string {
  const lines = [
    '# Written by the sftp plugin; changes are overwritten at its next change or start.',
    `Port ${o.port}`,
    `ListenAddress ${o.listenAddress}`,
    ...o.hostKeys.map((k) => `HostKey ${q(k)}`),
    `PidFile ${q(o.pidFile)}`,
    'UsePAM no',
    'PermitRootLogin no',
    'PermitEmptyPasswords no',
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'HostbasedAuthentication no',
    'GSSAPIAuthentication no',
    `AuthorizedKeysFile ${q(`${o.keysDir}/%u`)}`,
    'StrictModes yes',
    'MaxAuthTries 4',
    'LoginGraceTime 30',
    'MaxStartups 20:30:100',
    'ClientAliveInterval 60',
    'AllowTcpForwarding no',
    'AllowStreamLocalForwarding no',
    'AllowAgentForwarding no',
    'X11Forwarding no',
    'PermitTunnel no',
    'PermitTTY no',
    'PermitUserRC no',
    'PermitUserEnvironment no',
    'PrintMotd no',
    'Banner none',
    `AllowGroups ${o.group}`,
    accounts.length > 0 ? `AllowUsers ${accounts.map((a) => a.login).join(' ')}` : 'DenyUsers *',
    `ChrootDirectory ${q(o.emptyDir)}`,
    'ForceCommand internal-sftp -R',
    'Subsystem sftp internal-sftp',
  ];
  for (const a of accounts) {
    lines.push(
      '',
      `Match User ${a.login}`,
      `  ChrootDirectory ${q(a.chroot)}`,
      `  ForceCommand internal-sftp -u 0027 -d ${q(a.home)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
