// Idempotency-Key handling for POSTs: the first successful (2xx) response for a method + path + key is stored
// and replayed byte for byte to later requests with the same key; nothing is created twice. A request that
// arrives while the first is still running waits for it. Failed attempts are not stored, so a retry runs again.
// Request bodies are not compared (multipart boundaries differ between retries).
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export type Claim = { replay: StoredResponse } | { settle: (response: StoredResponse | null) => void };

export class IdempotencyCache {
  private readonly entries = new Map<string, Promise<StoredResponse | null>>();

  /** Either the stored response for `key`, or the right to run the request (call settle exactly once). */
  async claim(key: string): Promise<Claim> {
    for (;;) {
      const existing = this.entries.get(key);
      if (existing === undefined) {
        let resolve!: (r: StoredResponse | null) => void;
        this.entries.set(key, new Promise((r) => (resolve = r)));
        return {
          settle: (response) => {
            if (response === null) this.entries.delete(key);
            resolve(response);
          },
        };
      }
      const stored = await existing;
      if (stored !== null) return { replay: stored };
    }
  }
}
