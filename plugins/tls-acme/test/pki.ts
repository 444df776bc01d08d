/**
 * Certificates for the upload tests, made with the openssl command: a root, intermediates and
 * leaves with the names and lifetimes a test asks for (P-256 keys, PEM strings).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Issued {
  certificate: string;
  key: string;
  /** File stem inside the PKI's folder (to sign with it). */
  stem: string;
}

export class Pki {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'hp-tls-pki-'));
  #n = 0;

  private ssl(...args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: 'pipe' });
  }

  /** A self-signed CA. */
  root(cn = 'Hostplane Test Root', days = 30): Issued {
    const stem = `c${++this.#n}`;
    return this.finish(stem, () =>
      this.ssl(
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        `${stem}.key`,
        '-out',
        `${stem}.crt`,
        '-subj',
        `/CN=${cn}`,
        '-days',
        String(days),
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ),
    );
  }

  /** A certificate signed by `issuer`: a CA when `names` is empty, else a leaf for those names. */
  sign(issuer: Issued, options: { cn: string; names?: string[]; days?: number }): Issued {
    const stem = `c${++this.#n}`;
    const ext = options.names?.length
      ? `subjectAltName=${options.names.map((n) => `DNS:${n}`).join(',')}\nbasicConstraints=CA:FALSE\n`
      : 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n';
    writeFileSync(path.join(this.dir, `${stem}.ext`), ext);
    return this.finish(stem, () => {
      this.ssl(
        'req',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        `${stem}.key`,
        '-out',
        `${stem}.csr`,
        '-subj',
        `/CN=${options.cn}`,
      );
      this.ssl(
        'x509',
        '-req',
        '-in',
        `${stem}.csr`,
        '-CA',
        `${issuer.stem}.crt`,
        '-CAkey',
        `${issuer.stem}.key`,
        '-CAcreateserial',
        '-days',
        String(options.days ?? 30),
        '-extfile',
        `${stem}.ext`,
        '-out',
        `${stem}.crt`,
      );
    });
  }

  private finish(stem: string, make: () => void): Issued {
    make();
    return {
      certificate: readFileSync(path.join(this.dir, `${stem}.crt`), 'utf8'),
      key: readFileSync(path.join(this.dir, `${stem}.key`), 'utf8'),
      stem,
    };
  }

  /** A leaf for `names` under a root and one intermediate: what a CA hands out. */
  chainFor(names: string[], days = 30): { certificate: string; key: string; chain: string; root: string } {
    const root = this.root();
    const intermediate = this.sign(root, { cn: 'Hostplane Test Intermediate', days });
    const leaf = this.sign(intermediate, { cn: names[0] ?? 'leaf', names, days });
    return { certificate: leaf.certificate, key: leaf.key, chain: intermediate.certificate, root: root.certificate };
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
