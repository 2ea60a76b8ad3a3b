// Where a worker may connect. A step may call the hosts of its plan's servers (the source descriptions' servers,
// `--server` overrides included) and the worker's allowed entries (`--allow-host`, ARAZZO_ALLOW_HOSTS). Whatever
// the name, the address it resolves to is checked when the socket connects (a `lookup` on the shared agents), so
// a name that resolves, or re-resolves (DNS rebinding), to a refused address is refused; redirects are checked the
// same way. Refused unless an entry allows them: link-local and cloud metadata addresses (only an IP or CIDR entry
// allows these), loopback, private and other special-purpose ranges. Only http: and https: are spoken.
import dns, { type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { addressClass, bare, family, nameMatches, normalIp, parseAllowList, type AllowList } from './address-ranges';

export const OUTBOUND_REFUSED = 'ArazzoOutboundRefused';

/** A request the policy refused; it was never sent. */
export class OutboundRefusedError extends Error {
  readonly code = 'ERR_ARAZZO_OUTBOUND_REFUSED';
}

export { addressClass, parseAllowList, type AllowList } from './address-ranges';

let workerAllow: AllowList | undefined;
let resolver: typeof dns.lookup = dns.lookup;

/** Set the worker's allowed entries (the `--allow-host` flags); ARAZZO_ALLOW_HOSTS is added to them. */
export function configureOutbound(allowHosts: string[] = []): void {
  const flags = parseAllowList(allowHosts);
  const env = parseAllowList([process.env.ARAZZO_ALLOW_HOSTS ?? ''], 'ARAZZO_ALLOW_HOSTS');
  workerAllow = parseAllowList([...flags.entries, ...env.entries]);
}

/** Replace the DNS lookup (tests point a name at an address with it); returns the previous one. */
export function setResolver(lookup: typeof dns.lookup): typeof dns.lookup {
  const previous = resolver;
  resolver = lookup;
  return previous;
}

/** The policies made so far, per allow list and plan servers (a poll asks for its step's policy at every attempt). */
const policies = new WeakMap<AllowList, Map<string, OutboundPolicy>>();
const POLICIES_PER_LIST = 256;

/** The policy for one step's requests: the plan's hosts plus the worker's entries. */
export class OutboundPolicy {
  /** The policy of these plan servers under the worker's allow list, made once and then reused. */
  static of(planUrls: string[]): OutboundPolicy {
    const allow = (workerAllow ??= parseAllowList([process.env.ARAZZO_ALLOW_HOSTS ?? ''], 'ARAZZO_ALLOW_HOSTS'));
    let byUrls = policies.get(allow);
    if (!byUrls) policies.set(allow, (byUrls = new Map()));
    const key = planUrls.join('\n');
    let policy = byUrls.get(key);
    if (!policy) {
      if (byUrls.size >= POLICIES_PER_LIST) byUrls.clear();
      byUrls.set(key, (policy = new OutboundPolicy(planUrls, allow)));
    }
    return policy;
  }

  private readonly planHosts: Set<string>;

  private readonly allow: AllowList;

  constructor(planUrls: string[], allow?: AllowList) {
    // a worker started without startWorker (a test calling the activity) reads ARAZZO_ALLOW_HOSTS now
    this.allow = allow ?? (workerAllow ??= parseAllowList([process.env.ARAZZO_ALLOW_HOSTS ?? ''], 'ARAZZO_ALLOW_HOSTS'));
    this.planHosts = new Set(
      planUrls.flatMap((u) => {
        try {
          const url = new URL(u);
          return url.protocol === 'http:' || url.protocol === 'https:' ? [bare(url.hostname)] : [];
        } catch {
          return [];
        }
      }),
    );
  }

  private allowedText(): string {
    const hosts = [...new Set([...this.planHosts, ...this.allow.entries])];
    return hosts.length ? hosts.join(', ') : 'none';
  }

  /** What urlProblem said per scheme and authority (a poll asks for the same one at every attempt). */
  private readonly answers = new Map<string, string | undefined>();

  /** Why `url` may not be requested, or undefined: scheme, host, and the address when the host is an IP. */
  urlProblem(url: string): string | undefined {
    // the scheme and authority, up to the first character that ends an authority (the rest cannot change the host)
    const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?#\\]*/i.exec(url)?.[0];
    if (origin !== undefined && this.answers.has(origin)) return this.answers.get(origin);
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return `"${url}" is not a URL`;
    }
    const answer = this.problemOf(u);
    if (origin !== undefined) {
      if (this.answers.size >= 64) this.answers.clear();
      this.answers.set(origin, answer);
    }
    return answer;
  }

  private problemOf(u: URL): string | undefined {
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return `the ${u.protocol} scheme is refused: only http and https are spoken`;
    const host = bare(u.hostname);
    const ip = net.isIP(host) ? normalIp(host) : undefined;
    // an address literal that is refused anyway says so first: that is the reason that matters
    const refusedAddress = ip === undefined ? undefined : this.addressProblem(host, ip);
    if (refusedAddress) return refusedAddress;
    const listed =
      this.planHosts.has(host) || nameMatches(this.allow.names, host) || (ip !== undefined && this.allow.addresses.check(ip, family(ip)));
    if (!listed)
      return `host ${host} is not one of the servers of the document's source descriptions nor allowed by --allow-host (allowed: ${this.allowedText()})`;
    return undefined;
  }

  /** Why `host` may not connect to `ip`, or undefined. */
  addressProblem(host: string, raw: string): string | undefined {
    const ip = normalIp(raw);
    const kind = addressClass(ip);
    if (!kind || this.allow.addresses.check(ip, family(ip))) return undefined;
    // a host name the worker allows by name may be private or loopback, never link-local or metadata
    if (kind !== 'link-local or metadata' && !net.isIP(host) && this.allow.names.some((p) => p !== '*' && nameMatches([p], host)))
      return undefined;
    const via = net.isIP(host) ? '' : `${host} resolves to `;
    return `${via}${ip}, a ${kind} address, is refused (allow it with --allow-host ${ip} or ARAZZO_ALLOW_HOSTS)`;
  }

  /** A DNS lookup that gives only the addresses that pass, and refuses a name with none; `onRefused` learns why. */
  lookup(onRefused: (why: string) => void): net.LookupFunction {
    return checkedLookup((host, ip) => this.addressProblem(host, ip), onRefused);
  }

  /**
   * Agents whose connections are checked, shared by every request under the same allow list (what a connection's
   * lookup checks depends only on that list). `reuse`: a kept-alive connection, so that a poll does not pay a TCP and
   * TLS handshake each time; a kept connection goes to the address checked when it was made. A request that must not
   * be sent twice (POST, PATCH) gets a connection of its own: the server may have closed an idle one meanwhile, and a
   * reset there would leave its outcome unknown. A refusal reaches the request as an OutboundRefusedError among its
   * error's causes (refusalOf).
   */
  agents(reuse: boolean): { httpAgent: http.Agent; httpsAgent: https.Agent } {
    let pairs = sharedAgents.get(this.allow);
    if (!pairs) {
      const lookup = this.lookup(() => undefined);
      const pair = (options: http.AgentOptions) => ({ httpAgent: new http.Agent(options), httpsAgent: new https.Agent(options) });
      pairs = { kept: pair({ lookup, ...KEEP_ALIVE } as http.AgentOptions), fresh: pair({ lookup } as http.AgentOptions) };
      sharedAgents.set(this.allow, pairs);
    }
    return reuse ? pairs.kept : pairs.fresh;
  }
}

/**
 * Kept connections as Node's global agent keeps them (the most recently used first), an idle one closed after 4 s:
 * before the server would close it (5 s is Node's default keep-alive timeout, the shortest in common use).
 */
const KEEP_ALIVE = { keepAlive: true, scheduling: 'lifo', timeout: 4000 } as const;
type AgentPair = { httpAgent: http.Agent; httpsAgent: https.Agent };
/** The agents of each allow list (the worker's, or a test's); dropped with the list. */
const sharedAgents = new WeakMap<AllowList, { kept: AgentPair; fresh: AgentPair }>();

/** Why the policy refused the connection of a failed request (an OutboundRefusedError among its causes), or undefined. */
export function refusalOf(err: unknown): string | undefined {
  for (let e = err as { cause?: unknown } | undefined, n = 0; e && n < 5; e = e.cause as typeof e, n++)
    if (e instanceof OutboundRefusedError) return e.message;
  return undefined;
}

/** Every address of `host` through the policy's DNS lookup (the one tests replace with setResolver). */
export function resolveAll(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    resolver(host, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses as LookupAddress[])));
  });
}

/** A DNS lookup through the resolver that gives only the addresses `problem` passes, and refuses a name with none. */
function checkedLookup(problem: (host: string, ip: string) => string | undefined, onRefused: (why: string) => void): net.LookupFunction {
  return (
    hostname: string,
    options: LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    resolver(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      // connect only to addresses that pass (localhost may answer ::1 and 127.0.0.1 with only one allowed)
      const checked = (addresses as LookupAddress[]).map((a) => ({ a, why: problem(bare(hostname), a.address) }));
      const list = checked.filter((c) => !c.why).map((c) => c.a);
      if (!list.length) {
        const why = checked[0]?.why ?? `${hostname} resolves to no address`;
        onRefused(why);
        return callback(new OutboundRefusedError(why), '', 0);
      }
      if (options.all) callback(null, list);
      else callback(null, list[0]?.address ?? '', list[0]?.family ?? 4);
    });
  };
}

/**
 * A DNS lookup for what the worker fetches to prepare a run (documents, sources, overlays): only public addresses
 * pass, whatever the allow list says, checked when each socket connects, so every redirect hop and a name that
 * re-resolves elsewhere are checked too. `onRefused` learns why.
 */
export function publicOnlyLookup(onRefused: (why: string) => void): net.LookupFunction {
  return checkedLookup((host, raw) => {
    const kind = addressClass(raw);
    return kind && `${host} resolves to ${normalIp(raw)}, a ${kind} address, which is refused`;
  }, onRefused);
}
