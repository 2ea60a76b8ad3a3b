// Headless Chromium (Debian package `chromium`) for looking at the Temporal Web UI: the DOM after its scripts ran,
// or a screenshot. Loopback only; a fresh profile per call.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function chromiumPath(): string | undefined {
  return [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p): p is string => !!p && existsSync(p));
}

function chromium(args: string[], timeoutMs: number): Promise<string> {
  const bin = chromiumPath();
  if (!bin) throw new Error('chromium is not installed (apt-get install -y chromium)');
  const profile = mkdtempSync(join(tmpdir(), 'chromium-'));
  const base = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', `--user-data-dir=${profile}`];
  return new Promise<string>((resolve, reject) => {
    execFile(bin, [...base, ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      rmSync(profile, { recursive: true, force: true });
      if (err) reject(new Error(`chromium failed: ${err.message}\n${stderr.slice(-2000)}`));
      else resolve(stdout);
    });
  });
}

/** The page's DOM once its scripts had `budgetMs` of (virtual) time. */
export function dumpDom(url: string, budgetMs = 15_000): Promise<string> {
  return chromium([`--virtual-time-budget=${budgetMs}`, '--dump-dom', url], budgetMs + 60_000);
}

export async function screenshot(url: string, file: string, size = '1400,1100', budgetMs = 15_000): Promise<void> {
  await chromium([`--virtual-time-budget=${budgetMs}`, `--window-size=${size}`, `--screenshot=${file}`, url], budgetMs + 60_000);
}

/** Headless Chromium driven by puppeteer-core (loaded only when a test needs it). */
export async function launchBrowser(): Promise<import('puppeteer-core').Browser> {
  const puppeteer = (await import('puppeteer-core')).default;
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}
