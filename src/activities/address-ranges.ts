// Addresses and allow lists of the outbound policy (outbound-policy.ts): the refused ranges (link-local and cloud
// metadata, loopback, private and special-purpose) and the worker's allowed entries (`--allow-host`,
// ARAZZO_ALLOW_HOSTS: host names, IPs and CIDR ranges).
import net from 'node:net';

type Family = 'ipv4' | 'ipv6';
const subnets = (ranges: string[]) => {
  const list = new net.BlockList();
  for (const r of ranges) {
    const [addr, bits] = r.split('/');
    const type: Family = net.isIPv6(addr) ? 'ipv6' : 'ipv4';
    list.addSubnet(addr, Number(bits ?? (type === 'ipv6' ? 128 : 32)), type);
  }
  return list;
};

/** Link-local and cloud metadata: 169.254.169.254 (AWS, GCP, Azure), fd00:ec2::254 (AWS IPv6). */
const LINK_LOCAL = subnets(['169.254.0.0/16', 'fe80::/10', 'fd00:ec2::254/128']);
const LOOPBACK = subnets(['127.0.0.0/8', '::1/128']);
/** Private, shared (CGNAT), unspecified, multicast, reserved and unique-local ranges. */
const PRIVATE = subnets([
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '192.0.0.0/24',
  '198.18.0.0/15',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  'fc00::/7',
  'ff00::/8',
  '64:ff9b::/96',
]);

export function family(ip: string): Family {
  return net.isIPv6(ip) ? 'ipv6' : 'ipv4';
}

/** ::ffff:a.b.c.d is a.b.c.d. */
export function normalIp(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? m[1] : ip;
}

/** What kind of refused address `ip` is, or undefined for a public one. */
export function addressClass(raw: string): 'link-local or metadata' | 'loopback' | 'private or special-purpose' | undefined {
  const ip = normalIp(raw);
  if (LINK_LOCAL.check(ip, family(ip))) return 'link-local or metadata';
  if (LOOPBACK.check(ip, family(ip))) return 'loopback';
  if (PRIVATE.check(ip, family(ip))) return 'private or special-purpose';
  return undefined;
}

export const bare = (host: string) =>
  host
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '');

/** The worker's allowed entries: host names (`api.example.com`, `*.example.com`, `*` for any name), IPs and CIDRs. */
export interface AllowList {
  names: string[];
  addresses: net.BlockList;
  /** the entries as given, for messages */
  entries: string[];
}

/** Parse allowed entries; a malformed one is an error naming it. */
export function parseAllowList(entries: string[], where = '--allow-host'): AllowList {
  const list: AllowList = { names: [], addresses: new net.BlockList(), entries: [] };
  for (const raw of entries
    .flatMap((e) => e.split(','))
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [addr, bits, extra] = bare(raw).split('/');
    if (net.isIP(addr)) {
      const ip = normalIp(addr);
      const max = family(ip) === 'ipv6' ? 128 : 32;
      const n = bits === undefined ? max : Number(bits);
      if (extra !== undefined || !Number.isInteger(n) || n < 0 || n > max || (bits !== undefined && !/^\d+$/.test(bits)))
        throw new Error(`${where}: "${raw}" is not an IP address, a CIDR range or a host name`);
      list.addresses.addSubnet(ip, n, family(ip));
    } else if (
      bits === undefined &&
      (addr === '*' || /^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(addr))
    ) {
      list.names.push(addr);
    } else {
      throw new Error(`${where}: "${raw}" is not an IP address, a CIDR range or a host name`);
    }
    list.entries.push(raw);
  }
  return list;
}

export function nameMatches(patterns: string[], host: string): boolean {
  return patterns.some((p) => p === '*' || p === host || (p.startsWith('*.') && host.endsWith(p.slice(1))));
}
