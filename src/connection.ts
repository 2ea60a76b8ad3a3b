// Where and how to connect to Temporal, for the CLI, the worker and the client library alike: a profile of the
// Temporal config file (TOML: $TEMPORAL_CONFIG_FILE, else ~/.config/temporalio/temporal.toml; the profile named
// by --profile or $TEMPORAL_PROFILE, else "default"), overridden by the TEMPORAL_* environment variables
// (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*, …; read by @temporalio/envconfig),
// overridden by explicit settings (flags). TLS client certificates and API keys (Temporal Cloud) come with them.
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface ConnectionOverrides {
  address?: string;
  namespace?: string;
  /** a profile of the config file (default $TEMPORAL_PROFILE, else "default") */
  profile?: string;
  /** TLS with the system's CAs (implied by the options below) */
  tls?: boolean;
  /** PEM file of the CA that signed the server's certificate */
  tlsCa?: string;
  /** PEM files of a client certificate and its key (mutual TLS) */
  tlsCert?: string;
  tlsKey?: string;
  /** the name the server's certificate must carry, when it is not the address's host */
  tlsServerName?: string;
  /** an API key (Temporal Cloud); prefer $TEMPORAL_API_KEY or the profile over a flag */
  apiKey?: string;
}

export interface ResolvedConnection {
  address: string;
  namespace: string;
  /** for NativeConnection.connect (worker) and Connection.connect (client) */
  options: NativeConnectionOptions & { address: string };
  tls: boolean;
}

type Tls = Exclude<NativeConnectionOptions['tls'], boolean | null | undefined>;

function tlsOverrides(o: ConnectionOverrides, base: NativeConnectionOptions['tls']): NativeConnectionOptions['tls'] {
  if (!!o.tlsCert !== !!o.tlsKey) throw new Error('a TLS client certificate needs both --tls-cert and --tls-key');
  if (!(o.tls || o.tlsCa || o.tlsCert || o.tlsServerName)) return base;
  const tls: Tls = typeof base === 'object' && base ? { ...base } : {};
  if (o.tlsCa) tls.serverRootCACertificate = readFileSync(o.tlsCa);
  if (o.tlsCert && o.tlsKey) tls.clientCertPair = { crt: readFileSync(o.tlsCert), key: readFileSync(o.tlsKey) };
  if (o.tlsServerName) tls.serverNameOverride = o.tlsServerName;
  return tls;
}

/** The settings in force: profile < TEMPORAL_* variables < overrides; localhost:7233 and "default" when none is set. */
export function resolveConnection(o: ConnectionOverrides = {}): ResolvedConnection {
  const loaded = loadClientConnectConfig({ profile: o.profile });
  const base = loaded.connectionOptions;
  const address = o.address ?? base.address ?? 'localhost:7233';
  const tls = tlsOverrides(o, base.tls);
  const apiKey = o.apiKey ?? base.apiKey;
  const options = { ...base, address, ...(tls !== undefined && { tls }), ...(apiKey !== undefined && { apiKey }) };
  return { address, namespace: o.namespace ?? loaded.namespace ?? 'default', options, tls: !!tls || !!apiKey };
}

const buf = (b: Uint8Array | undefined) => (b ? Buffer.from(b) : undefined);

/** Why a TLS handshake with the server fails, in Node's words ("self-signed certificate in certificate chain"), or undefined. */
function tlsProbe(conn: ResolvedConnection): Promise<string | undefined> {
  const t = conn.options.tls;
  if (!t) return Promise.resolve(undefined);
  const o = typeof t === 'object' ? t : {};
  const at = conn.address.lastIndexOf(':');
  const host = conn.address.slice(0, at);
  const servername = o.serverNameOverride ?? (isIP(host) ? undefined : host);
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host,
      port: Number(conn.address.slice(at + 1)),
      ca: buf(o.serverRootCACertificate),
      cert: buf(o.clientCertPair?.crt),
      key: buf(o.clientCertPair?.key),
      servername,
      ALPNProtocols: ['h2'],
    });
    const done = (why?: string) => (socket.destroy(), resolve(why));
    socket.setTimeout(3000, () => done(undefined));
    socket.once('secureConnect', () => done(undefined));
    socket.once('error', (err) => done(err.message));
  });
}

/** A failed connection, said plainly: which address, over TLS or not, and the cause (never a key). */
export function connectionError(conn: ResolvedConnection, err: unknown, handshake?: string): Error {
  const cause = `${err instanceof Error ? err.message : String(err)}${handshake ? ` (TLS handshake: ${handshake})` : ''}`;
  const hint = /certificate|UnknownIssuer|self.signed|verify/i.test(cause)
    ? " (the server's TLS certificate is not trusted: give its CA with --tls-ca or the profile's tls.server_ca_cert_path)"
    : '';
  return new Error(`cannot connect to Temporal at ${conn.address}${conn.tls ? ' over TLS' : ''}: ${cause}${hint}`);
}

/** Run a connect call; its failure explained by connectionError (with what a TLS handshake says). */
export async function connecting<T>(conn: ResolvedConnection, connect: () => Promise<T>): Promise<T> {
  try {
    return await connect();
  } catch (err) {
    throw connectionError(conn, err, await tlsProbe(conn));
  }
}
