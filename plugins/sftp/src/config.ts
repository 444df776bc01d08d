/** Config of the sftp plugin (validated on enable and on change). */
import path from 'node:path';
import { Type, type Static } from '@hostplane/sdk';

export const SftpConfig = Type.Object(
  {
    mode: Type.Union([Type.Literal('managed'), Type.Literal('off')], {
      title: 'Mode',
      default: 'managed',
      description: "'managed': run our own OpenSSH sshd for SFTP only; 'off': no SFTP server (accounts can still be kept)",
    }),
    root: Type.String({
      title: 'Data directory',
      default: '',
      maxLength: 200,
      pattern: '^(|/[^\\u0000\\n]*)$',
      description: 'sshd_config, host keys, authorized keys and log. Empty: <HOSTPLANE_DATA_DIR or ./.hostplane>/sftp',
    }),
    listenAddress: Type.String({
      title: 'Listen address',
      default: '0.0.0.0',
      pattern: '^[0-9]{1,3}(\\.[0-9]{1,3}){3}$',
      description: 'Address the SFTP server listens on',
    }),
    port: Type.Integer({
      title: 'Port',
      default: 2222,
      minimum: 1,
      maximum: 65_535,
      description: 'SFTP port (not 22: the server’s own sshd keeps that)',
    }),
    publicHost: Type.String({
      title: 'Host name shown to customers',
      default: '',
      maxLength: 253,
      pattern: '^(|[A-Za-z0-9.-]+)$',
      description: 'What the panel tells customers to connect to. Empty: the listen address',
    }),
    sshdBinary: Type.String({
      default: '/usr/sbin/sshd',
      pattern: '^/[^\\s]*$',
      description: 'Debian: apt-get install openssh-server',
    }),
    accountsPerSite: Type.Integer({
      title: 'Accounts per site',
      default: 10,
      minimum: 1,
      maximum: 1000,
      description: 'How many SFTP accounts one site may have (packages have no SFTP limit of their own)',
    }),
  },
  { additionalProperties: false },
);

export type SftpConfig = Static<typeof SftpConfig>;

export function rootOf(config: SftpConfig, env: NodeJS.ProcessEnv = process.env): string {
  return config.root || path.resolve(env.HOSTPLANE_DATA_DIR || './.hostplane', 'sftp');
}
