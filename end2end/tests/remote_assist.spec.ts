import { Browser, expect, Page, test } from '@playwright/test';
import { hydrated, logins, scriptsEnabled, signIn } from './helpers';

/**
 * Each project takes its own demo array (src/server/demo.rs), so the desktop, phone and no-JS runs
 * of the same test, which share one database and run side by side, never meet on one session.
 */
const ARRAYS: Record<string, { name: string; serial: string }> = {
  desktop: { name: 'FlashArray//X20 boston-dev-01', serial: 'PSX20-BOS-0011' },
  phone: { name: 'FlashArray//X20 boston-dev-02', serial: 'PSX20-BOS-0012' },
  'no-js': { name: 'FlashArray//X20 boston-dev-03', serial: 'PSX20-BOS-0013' },
};

function ownArray() {
  const array = ARRAYS[test.info().project.name];
  if (!array) throw new Error(`no Remote Assist test array for project ${test.info().project.name}`);
  return array;
}

const arrayCard = (page: Page, name: string) => page.getByRole('region', { name, exact: true });

async function engineerPage(browser: Browser) {
  const context = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  const page = await context.newPage();
  await signIn(page, logins.engineer);
  return page;
}

async function requestSession(page: Page, array: { name: string; serial: string }, reason: string) {
  await page.getByLabel('Array', { exact: true }).selectOption({ label: `${array.name} (${array.serial})` });
  await page.getByLabel('Reason', { exact: true }).fill(reason);
  await page.getByLabel('Duration', { exact: true }).selectOption('4');
  await page.getByRole('button', { name: 'Request session' }).click();
}

test("Acme's admin opens a session with a live time-left; a second is refused; the engineer joins and ends it @no-js", async ({
  page,
  browser,
}) => {
  const array = ownArray();
  await signIn(page, logins.acmeAdmin);
  await page.goto('/remote-assist');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Remote Assist' })).toBeVisible();

  // An admin's request opens the session at once, for the requested four hours.
  await requestSession(page, array, 'Collect diagnostics from both controllers.');
  // The page the request lands on says what became of it, at its top.
  await expect(page).toHaveURL(/\/remote-assist\?requested=[0-9a-f]{32}$/);
  const said = page.getByRole('status').filter({ hasText: `Remote Assist session open on ${array.name}` });
  await expect(said).toBeInViewport();
  await expect(said).toContainText('support engineers can connect until');
  const card = arrayCard(page, array.name);
  await expect(card.locator('.status', { hasText: 'Active' })).toBeVisible();
  await expect(card).toContainText('Collect diagnostics from both controllers.');
  const counter = card.locator('.countdown');
  await expect(counter).toHaveText(/^in [34] h/);
  if (scriptsEnabled()) {
    // The time left ticks in the browser, without a reload.
    const first = Number(await counter.getAttribute('data-remaining-seconds'));
    expect(first).toBeGreaterThan(3 * 3600);
    await expect
      .poll(async () => Number(await counter.getAttribute('data-remaining-seconds')), { timeout: 5_000 })
      .toBeLessThan(first);
  }

  // Only one session per array: the second request gets the database's answer in words.
  await requestSession(page, array, 'A second session.');
  await expect(page.getByRole('alert').filter({ hasText: 'A Remote Assist session is already active on this array.' })).toBeVisible();

  // The engineer joins from the support side, then ends the session.
  const engineer = await engineerPage(browser);
  await engineer.goto('/remote-assist');
  await hydrated(engineer);
  const theirs = arrayCard(engineer, array.name);
  await expect(theirs).toContainText('Acme Corp');
  await theirs.getByRole('button', { name: 'Join session' }).click();
  await expect(theirs).toContainText('You joined this session.');
  await expect(theirs).toContainText('Sam Support');
  await theirs.getByRole('button', { name: 'End session' }).click();
  await expect(theirs).toContainText('No session.');
  const history = engineer.getByRole('row').filter({ hasText: array.name });
  await expect(history.first()).toContainText('Ended by support');
  await engineer.context().close();

  // The customer sees it ended, and the array is free again.
  await page.goto('/remote-assist');
  await expect(card).toContainText('No session.');
  await expect(page.getByRole('row').filter({ hasText: array.name }).first()).toContainText('Sam Support');
});

test('an authorized caller sees arrays and their connection state but no request form @no-js', async ({ page }) => {
  await signIn(page, logins.acmeCaller);
  await page.goto('/remote-assist');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Remote Assist' })).toBeVisible();
  await expect(arrayCard(page, 'FlashArray//X70 boston-prod-01')).toContainText('Connected');
  await expect(arrayCard(page, 'FlashArray//C60 fra-backup-01')).toContainText('Dark site');
  await expect(page.getByRole('button', { name: 'Request session' })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Request a session' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'End session' })).toHaveCount(0);
  await expect(page.getByRole('main')).not.toContainText('Globex');
});
