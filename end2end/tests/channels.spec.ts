import { expect, test } from '@playwright/test';
import { hydrated, logins, signIn } from './helpers';

const CONTACT_CENTER = 'Contact center org acme-cx (CX-ACME-0001)';

test('the dashboard says how to reach support: hotline numbers to dial, the status page, what to gather @no-js', async ({ page }) => {
  await signIn(page, logins.acmeCaller);
  const reach = page.getByRole('region', { name: 'How to reach support' });
  await expect(reach).toBeVisible();
  await expect(reach.getByRole('link', { name: '+1-866-244-7121' }).first()).toHaveAttribute('href', 'tel:+18662447121');
  await expect(reach.getByRole('link', { name: 'status.mypurecloud.com' })).toBeVisible();
  await expect(reach).toContainText('Severity 1 only');
  await expect(reach).toContainText('Conversation ID');
});

test('a contact-center Severity 1 is a phone call: the form says call now, and so does the opened case', async ({ page }) => {
  await signIn(page, logins.acmeCaller);
  await page.goto('/cases/new');
  await hydrated(page);
  await page.getByLabel('Array or service').selectOption({ label: CONTACT_CENTER });
  await page.getByLabel(/^Severity 1 —/).check();
  await expect(page.getByRole('heading', { name: 'Severity 1 is taken by phone: call support now' })).toBeVisible();
  await page.getByLabel(/^Severity 2 —/).check();
  await expect(page.getByRole('heading', { name: /taken by phone/ })).toHaveCount(0);
  await page.getByLabel(/^Severity 1 —/).check();
  await page.getByLabel('Subject').fill('Agents cannot take calls');
  await page.getByLabel('Description').fill('Every queue shows agents offline.');
  await page.getByLabel('Name', { exact: true }).fill('Carl Caller');
  await page.getByLabel('Phone', { exact: true }).fill('+1 617 555 0100');
  await page.getByRole('button', { name: 'Open case' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /Agents cannot take calls/ })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Call support now' })).toContainText('24x7x365');
  // "Mean time to restore is 15 minutes": the program's aim, never counted down to overdue.
  const aim = page.locator('dl.deadlines dt', { hasText: 'Restoration aim' }).locator('xpath=following-sibling::dd[1]');
  await expect(aim).toContainText('mean time to restore');
  await expect(aim.locator('.countdown')).toHaveCount(0);
});

test('a conversation ID is checked by its field and shown on the case @no-js', async ({ page }) => {
  await signIn(page, logins.acmeCaller);
  await page.goto('/cases/new');
  await hydrated(page);
  await page.getByLabel('Array or service').selectOption({ label: CONTACT_CENTER });
  await page.getByLabel(/^Severity 3 —/).check();
  await page.getByLabel('Subject').fill(`Recording missing ${test.info().project.name}`);
  await page.getByLabel('Description').fill('One interaction has no recording.');
  await page.getByLabel(/^Conversation ID/).fill('12345');
  await page.getByRole('button', { name: 'Open case' }).click();
  const field = page.locator('.field', { has: page.getByLabel(/^Conversation ID/) });
  await expect(field.locator('.field-error')).toContainText('looks like');
  // Without scripts the refused form comes back empty (the server renders it afresh).
  await page.getByLabel('Array or service').selectOption({ label: CONTACT_CENTER });
  await page.getByLabel(/^Severity 3 —/).check();
  await page.getByLabel('Subject').fill(`Recording missing ${test.info().project.name}`);
  await page.getByLabel('Description').fill('One interaction has no recording.');
  await page.getByLabel(/^Conversation ID/).fill('1B4E28BA-2FA1-11D2-883F-0016D3CCA427');
  await page.getByRole('button', { name: 'Open case' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /Recording missing/ })).toBeVisible();
  await expect(page.getByText('1b4e28ba-2fa1-11d2-883f-0016d3cca427')).toBeVisible();
});
