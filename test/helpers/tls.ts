// Test certificates made with openssl in a directory of the test's: a CA, leaves it signs, or one self-signed
// certificate. Each returns the paths of what it wrote; a failing openssl throws with its stderr.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A self-signed certificate `<name>.pem` with its key `<name>.key`; `addext` lines such as `subjectAltName=…`. */
export function selfSigned(dir: string, name: string, cn: string, addext: string[] = [], days = 2): { key: string; cert: string } {
  const extra = addext.flatMap((e) => ['-addext', e]);
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-days',
    String(days),
    '-subj',
    `/CN=${cn}`,
    ...extra,
  ]);
  return { key: join(dir, `${name}.key`), cert: join(dir, `${name}.pem`) };
}

/** A CA that may sign certificates. */
export function makeCa(dir: string, name: string): { key: string; cert: string } {
  return selfSigned(dir, name, name, ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign']);
}

/** A leaf certificate signed by the CA `ca`, with the X.509 extensions given as extfile text. */
export function makeLeaf(dir: string, name: string, cn: string, extensions: string, ca = 'ca'): { key: string; cert: string } {
  const extFile = join(dir, `${name}.ext`);
  writeFileSync(extFile, extensions);
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-extfile',
    extFile,
  ]);
  return { key: join(dir, `${name}.key`), cert: join(dir, `${name}.pem`) };
}
