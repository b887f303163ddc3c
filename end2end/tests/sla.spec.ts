import { expect, test } from '@playwright/test';
import { hydrated } from './helpers';

test('the SLA calculator explains a Friday-evening opening without sign-in @no-js', async ({ page }) => {
  await page.goto('/sla');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1, name: 'SLA calculator' })).toBeVisible();
  await page.getByLabel('Program and plan').selectOption('storage-classic/basic');
  await page.getByLabel('Severity', { exact: true }).selectOption('3');
  await page.getByLabel('Site time zone').selectOption('America/New_York');
  await page.getByLabel('Opened at (site local time)').fill('2026-11-27T16:30');
  await page.getByRole('button', { name: 'Calculate' }).click();
  // "Severity 3 … 1 Business Hour": 30 minutes left on Friday, the weekend skipped.
  const row = page.getByRole('row', { name: /Initial response/ });
  await expect(row).toContainText('Mon 30 Nov 08:30 EST');
  await expect(row).toContainText('2026-11-30 13:30 UTC');
  await expect(row).toContainText('1 Business Hour');
  await page.getByText('How these times were computed').click();
  await expect(page.locator('details.explanation')).toContainText('weekend');
});

test('a bad holiday is reported, not crashed on @no-js', async ({ page }) => {
  await page.goto('/sla?plan=storage-classic%2Fbasic&severity=3&tz=UTC&opened=2026-11-27T16%3A30&holidays=tomorrow');
  await expect(page.getByRole('alert')).toContainText('Holidays');
});

test('the calculator recomputes in the browser without asking the server', async ({ page }) => {
  await page.goto('/sla');
  await hydrated(page);
  // The engine runs in the WebAssembly client: after hydration, no page load and no server
  // function call is needed to compute new deadlines.
  const requests: string[] = [];
  page.on('request', (r) => requests.push(`${r.resourceType()} ${r.url()}`));
  await page.getByLabel('Program and plan').selectOption('contact-center/standard');
  await page.getByLabel('Severity', { exact: true }).selectOption('4');
  await page.getByLabel('Site time zone').selectOption('Asia/Tokyo');
  await page.getByLabel('Opened at (site local time)').fill('2026-12-31T16:00');
  await page.getByRole('button', { name: 'Calculate' }).click();
  await expect(page).toHaveURL(/tz=Asia%2FTokyo/);
  const row = page.getByRole('row', { name: /Initial response/ });
  // "4 – Low Impact 1 business day (web)": Thursday 16:00 in Tokyo, New Year's Day a holiday? No:
  // only the site's own holidays count, so Friday 1 January 2027 16:00 JST.
  await expect(row).toContainText('Fri 1 Jan 16:00 JST');
  // Back returns to the previous calculation, still without asking the server.
  await page.goBack();
  await expect(page).not.toHaveURL(/tz=Asia%2FTokyo/);
  await expect(row).not.toContainText('JST');
  await expect(page.getByLabel('Site time zone')).toHaveValue('America/New_York');
  expect(requests.filter((r) => r.startsWith('document') || r.includes('/api/'))).toEqual([]);
});
