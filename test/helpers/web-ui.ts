// A stack whose dev server serves the Web UI, and headless Chromium to look at it (skipped without chromium).
import type { Browser } from 'puppeteer-core';
import { chromiumPath, launchBrowser } from './chromium';
import { startStack, type Stack } from './stack';
import { freePort } from '../../src/temporal/dev-server';

export const noChromium = chromiumPath() ? false : 'chromium is not installed (apt-get install -y chromium): the Web UI is not checked';

export interface UiStack {
  stack: Stack;
  browser: Browser;
  /** http://127.0.0.1:PORT, the Web UI's origin */
  origin: string;
  stop(): Promise<void>;
}

export async function startUiStack(): Promise<UiStack> {
  const uiPort = await freePort();
  const stack = await startStack({ server: { headless: false, uiPort } });
  const browser = await launchBrowser().catch(async (err: unknown) => {
    await stack.stop();
    throw err;
  });
  return {
    stack,
    browser,
    origin: `http://127.0.0.1:${uiPort}`,
    async stop() {
      await browser.close();
      await stack.stop();
    },
  };
}
