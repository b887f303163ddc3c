import { defineConfig, devices } from '@playwright/test';

// The release build serves its own throw-away database on its own port, so a developer's
// `make run` on :3000 is never touched. CHROMIUM_PATH overrides Debian's browser location.
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
// Each run's database and uploads; E2E_DIR lets two runs on one machine stay apart.
const dataDir = process.env.E2E_DIR ?? '../target/e2e';
// The server under test: the release build, or a copy of one (E2E_BUILD: a folder holding
// `portal`, its `hash.txt` and `site/`) that a later build cannot change mid-run.
const build = process.env.E2E_BUILD;
const serverBin = build ? `${build}/portal` : '../target/release/portal';
const siteRoot = build ? `${build}/site` : '../target/site';
const launchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions,
  },
  projects: [
    { name: 'desktop', use: { ...devices['Desktop Chrome'], launchOptions } },
    { name: 'phone', use: { ...devices['Pixel 5'], launchOptions } },
    // Pages render on the server and forms post without scripts: prove it with scripts off.
    {
      name: 'no-js',
      use: { ...devices['Desktop Chrome'], launchOptions, javaScriptEnabled: false },
      grep: /@no-js/,
    },
  ],
  webServer: {
    command: `rm -rf ${dataDir} && mkdir -p ${dataDir} && exec ${serverBin} serve`,
    url: `${baseURL}/readyz`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      // The suites sign in with the demo's logins; a plain serve seeds nothing.
      PORTAL_DEMO: 'true',
      DATABASE_URL: `sqlite://${dataDir}/portal.db`,
      PORTAL_ATTACHMENTS_DIR: `${dataDir}/attachments`,
      LEPTOS_SITE_ROOT: siteRoot,
      LEPTOS_SITE_PKG_DIR: 'pkg',
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_ENV: 'PROD',
      LEPTOS_OUTPUT_NAME: 'portal',
      LEPTOS_HASH_FILES: 'true',
      PORTAL_LOG: 'warn',
    },
  },
});
