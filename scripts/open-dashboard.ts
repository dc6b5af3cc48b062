// Keeps the dashboard open in headless chromium until SIGTERM, for scripts/bench-dashboard.sh:
// a real page, drawing every second, as a user would have it open during a build.
//   node dist/scripts/open-dashboard.js URL     (prints "ticks N" when it stops)
import { launchBrowser } from '../test/helpers/browser.js';

const url = process.argv[2];
if (!url) {
  process.stderr.write('usage: open-dashboard.js URL\n');
  process.exit(2);
}
const browser = await launchBrowser({ handleSIGTERM: false, handleSIGINT: false }); // we close it ourselves, after reading the page
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.goto(url);
await page.waitForFunction(() => ((globalThis as unknown as { __dashboard?: { ticks: number } }).__dashboard?.ticks ?? 0) >= 1);
process.stdout.write('open\n');
const stop = async (): Promise<void> => {
  const ticks = await page.evaluate(() => (globalThis as unknown as { __dashboard?: { ticks: number } }).__dashboard?.ticks ?? 0);
  process.stdout.write(`ticks ${ticks}\n`);
  await browser.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
