import { Browser, expect, Page, test } from '@playwright/test';
import { hydrated, logins, signIn } from './helpers';

async function asEngineer(browser: Browser) {
  const context = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  const page = await context.newPage();
  await signIn(page, logins.engineer);
  return page;
}

/** The number in the bell's accessible name ("Notifications, 3 unread"). */
async function unread(page: Page) {
  const name = (await page.getByRole('link', { name: /^Notifications, / }).getAttribute('aria-label')) ?? '';
  const m = name.match(/(\d+) unread/);
  return m ? Number(m[1]) : 0;
}

test('the bell shows a new notification after the engineer posts an update', async ({ page, browser }) => {
  const subject = `Bell ${test.info().project.name} ${Date.now()}`;
  await signIn(page, logins.acmeCaller);
  await page.goto('/cases/new');
  await hydrated(page);
  await page.getByLabel('Array or service').selectOption({ label: 'FlashArray//X70 boston-prod-01 (PSX70-BOS-0001)' });
  await page.getByLabel(/^Severity 3 —/).check();
  await page.getByLabel('Subject').fill(subject);
  await page.getByLabel('Description').fill('Replication lag on the nightly job.');
  await page.getByRole('button', { name: 'Open case' }).click();
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(subject) })).toBeVisible();
  const caseUrl = new URL(page.url());

  // Start from a clean bell.
  await page.goto('/notifications');
  await hydrated(page);
  const markAll = page.getByRole('button', { name: 'Mark all read' });
  if (await markAll.isVisible()) {
    await markAll.click();
  }

  const engineer = await asEngineer(browser);
  await engineer.goto(caseUrl.pathname);
  await hydrated(engineer);
  await engineer.getByLabel('Update or note').fill('We are looking at the replication link.');
  await engineer.getByLabel(/Customer: public update/).check();
  await engineer.getByRole('button', { name: 'Post update' }).click();
  await expect(engineer.locator('.timeline')).toContainText('looking at the replication link');

  await page.goto('/');
  await hydrated(page);
  await expect(page.getByRole('link', { name: /^Notifications, \d+ unread$/ })).toBeVisible();
  expect(await unread(page)).toBeGreaterThan(0);
  await page.getByRole('link', { name: /^Notifications, / }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();
  const item = page.locator('li.notification', { has: page.locator(`a[href="${caseUrl.pathname}"]`) })
    .filter({ hasText: 'Support posted an update' });
  await expect(item).toBeVisible();
  await expect(item).toContainText('looking at the replication link');

  // Marking it read takes it off the unread list.
  await item.getByRole('button', { name: /^Mark read: / }).click();
  await expect(item.getByRole('button', { name: /^Mark read: / })).toHaveCount(0);
  await expect(item).not.toContainText('Unread');
});

test("a notification names the case's severity, and opening the case reads it @no-js", async ({ page, browser }) => {
  const subject = `Read on open ${test.info().project.name} ${Date.now()}`;
  await signIn(page, logins.acmeCaller);
  await page.goto('/cases/new');
  await hydrated(page);
  await page.getByLabel('Array or service').selectOption({ label: 'FlashArray//X70 boston-prod-01 (PSX70-BOS-0001)' });
  await page.getByLabel(/^Severity 2 —/).check();
  await page.getByLabel('Subject').fill(subject);
  await page.getByLabel('Description').fill('Write latency doubled after the controller swap.');
  await page.getByLabel('Business impact').fill('Backups run late.');
  await page.getByRole('button', { name: 'Open case' }).click();
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(subject) })).toBeVisible();
  const casePath = new URL(page.url()).pathname;

  const engineer = await asEngineer(browser);
  await engineer.goto(casePath);
  await hydrated(engineer);
  await engineer.getByLabel('Update or note').fill('Collecting the controller logs now.');
  await engineer.getByLabel(/Customer: public update/).check();
  await engineer.getByRole('button', { name: 'Post update' }).click();
  await expect(engineer.locator('.timeline')).toContainText('Collecting the controller logs');
  await engineer.context().close();

  await page.goto('/notifications');
  await hydrated(page);
  const item = page.locator('li.notification', { has: page.locator(`a[href="${casePath}"]`) })
    .filter({ hasText: 'Support posted an update' });
  await expect(item).toContainText('Unread');
  await expect(item.getByText('Severity 2', { exact: true })).toBeVisible();

  // Opening the case is reading what was said on it.
  await item.getByRole('link', { name: /Support posted an update/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(subject) })).toBeVisible();
  await page.goto('/notifications');
  await expect(item).toBeVisible();
  await expect(item).not.toContainText('Unread');
  await expect(item.getByRole('button', { name: /^Mark read: / })).toHaveCount(0);
});

test('an admin creates an alert API token, sees it once, and revokes it', async ({ page }) => {
  const name = `Monitoring ${test.info().project.name} ${Date.now()}`;
  await signIn(page, logins.acmeAdmin);
  await page.getByRole('link', { name: 'Alerts' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Monitoring alerts' })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Token name').fill(name);
  await page.getByRole('button', { name: 'Create token' }).click();
  const status = page.getByRole('status').filter({ hasText: name });
  await expect(status).toContainText('will not be shown again');
  const token = (await page.getByLabel('New token').textContent()) ?? '';
  expect(token).toMatch(/^pat_[0-9a-f]{64}$/);

  // The list shows its first characters only, never the secret; never used yet.
  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText(token.slice(0, 12));
  await expect(row).not.toContainText(token);
  await expect(row).toContainText('Never');

  await row.getByRole('button', { name: `Revoke ${name}` }).click();
  await expect(row).toContainText('Revoked');
  await expect(row.getByRole('button', { name: `Revoke ${name}` })).toHaveCount(0);

  // The revoked token is refused by the API.
  const res = await page.request.post('/api/v1/alerts', {
    headers: { Authorization: `Bearer ${token}` },
    data: { array_serial: 'PSX70-BOS-0001', alert_id: 'E2E', code: 'psu_fault', severity: 'warning', summary: 'x', started_at: '2026-01-01T00:00:00Z' },
  });
  expect(res.status()).toBe(401);
  expect((await res.json()).error).toBe('unauthorized');
});

test('a caller sees no token section', async ({ page }) => {
  await signIn(page, logins.acmeCaller);
  await page.goto('/alerts');
  await expect(page.getByRole('heading', { level: 1, name: 'Monitoring alerts' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Alert API tokens' })).toHaveCount(0);
});
