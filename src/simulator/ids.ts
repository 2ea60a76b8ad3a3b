// Deterministic ids: a random prefix chosen once per simulator state, then a counter.
// Ids of one kind sort in creation order; a reset() gets a fresh prefix, so ids never repeat.
import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export class IdFactory {
  private readonly prefix: string;
  private counter = 0;

  constructor() {
    this.prefix = Array.from(randomBytes(6), (b) => ALPHABET[b % ALPHABET.length]).join('');
  }

  /** e.g. next('batch_') → "batch_Xk3P9a0000002a". */
  next(kind: string): string {
    this.counter += 1;
    return `${kind}${this.prefix}${this.counter.toString(36).padStart(6, '0')}`;
  }
}

/** A stable 32-bit hash of a string (FNV-1a), used to seed per-object shuffles. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A permutation of 0..n-1 seeded by `key`. For n > 1 it is never the identity, so results really do come
 * back in a different order than the input (clients must join on custom_id).
 */
export function shuffledOrder(n: number, key: string): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const rand = seededRandom(hash32(key));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  if (n > 1 && order.every((v, i) => v === i)) order.push(order.shift() as number);
  return order;
}
