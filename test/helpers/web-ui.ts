// A stack whose dev server serves the Web UI, and headless Chromium to look at it (skipped without chromium).
import type { Browser } from 'puppeteer-core';
import { chromiumPath, launchBrowser } from './chromium';
import { startStack, type Stack } from './stack';
import { codecFromEnv, startCodecServer, type CodecServer } from '../../src/codec';
import { freePort } from '../../src/temporal/dev-server';

export const noChromium = chromiumPath() ? false : 'chromium is not installed (apt-get install -y chromium): the Web UI is not checked';

export interface UiStack {
  stack: Stack;
  browser: Browser;
  /** http://127.0.0.1:PORT, the Web UI's origin */
  origin: string;
  /** with { codecServer: true }: the codec server the UI encodes and decodes payloads with, as `npm start` runs it */
  codecServer?: CodecServer;
  stop(): Promise<void>;
}

/** `codecServer`: payloads encrypted with the keys in ARAZZO_CODEC_KEYS, and the UI given a codec server for them. */
export async function startUiStack(opts: { codecServer?: boolean } = {}): Promise<UiStack> {
  const uiPort = await freePort();
  const origin = `http://127.0.0.1:${uiPort}`;
  const codecServer = opts.codecServer ? await startCodecServer({ codec: codecFromEnv(), port: 0, origins: [origin] }) : undefined;
  const stack = await startStack({ server: { headless: false, uiPort, uiCodecEndpoint: codecServer?.url } });
  const stop = async () => {
    await stack.stop();
    await codecServer?.close();
  };
  const browser = await launchBrowser().catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return {
    stack,
    browser,
    origin,
    codecServer,
    async stop() {
      await browser.close();
      await stop();
    },
  };
}
