import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, installed by `.ci/run` (`apt-get install -y chromium`). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * True when Debian's Chromium is installed; browser suites skip with a warning otherwise. Under CI (`CI=true`, where
 * `.ci/run` installs it) a missing browser is an error, never a silent skip.
 */
export function chromiumInstalled(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing although CI installs it: the browser tests cannot run`);
  console.warn(`skipping the browser test: ${CHROMIUM} is not installed (apt-get install -y chromium)`);
  return false;
}

/** Launches Debian's Chromium headless, with no background network traffic (this machine has no internet). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
