import { expect, test } from '@playwright/test';
import { hydrated, logins, signIn } from './helpers';

test("Acme's admin sees Acme's sites and arrays, not Globex's @no-js", async ({ page }) => {
  await signIn(page, logins.acmeAdmin);
  const main = page.getByRole('main');
  await expect(main.getByRole('heading', { level: 2, name: 'Acme Corp' })).toBeVisible();
  await expect(main.getByRole('heading', { level: 3, name: 'Acme Boston DC' })).toBeVisible();
  await expect(main.getByRole('heading', { level: 3, name: 'Acme Frankfurt DC' })).toBeVisible();
  await expect(main.getByText('America/New_York')).toBeVisible();
  await expect(main.getByRole('cell', { name: 'PSX70-BOS-0001' })).toBeVisible();
  await expect(main).not.toContainText('Globex');
  await expect(main).not.toContainText('PSX50-TYO-0001');
});

test("Globex's admin sees only Globex", async ({ page }) => {
  await signIn(page, logins.globexAdmin);
  const main = page.getByRole('main');
  await expect(main.getByRole('heading', { level: 3, name: 'Globex Tokyo DC' })).toBeVisible();
  await expect(main).not.toContainText('Acme');
});

test('the support engineer sees every organization', async ({ page }) => {
  await signIn(page, logins.engineer);
  const main = page.getByRole('main');
  await expect(main.getByRole('heading', { level: 2, name: 'Acme Corp' })).toBeVisible();
  await expect(main.getByRole('heading', { level: 2, name: 'Globex' })).toBeVisible();
});

test('the navigation marks the current page and the page hydrates', async ({ page }) => {
  await signIn(page, logins.acmeCaller);
  await hydrated(page);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Dashboard' })).toHaveAttribute('aria-current', 'page');
  // A full page load: the server marks the link of the page it renders.
  await nav.getByRole('link', { name: 'Cases' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Cases' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Cases' })).toHaveAttribute('aria-current', 'page');
  // An interactive control that only works once the WebAssembly client runs.
  await page.getByRole('button', { name: 'Dark theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
});

test('the dashboard starts with what needs the viewer: waiting on them, then open cases by deadline @no-js', async ({ page }) => {
  await signIn(page, logins.acmeCaller);
  const needs = page.getByRole('region', { name: 'What needs you' });
  await expect(needs.getByRole('heading', { level: 3, name: 'Waiting on you' })).toBeVisible();
  const open = needs.getByRole('table', { name: 'Your open cases, nearest deadline first' });
  await expect(open.getByRole('link', { name: /^CS-\d+$/ }).first()).toBeVisible();
  await expect(open.locator('time').first()).toBeVisible();
  await open.getByRole('link', { name: /^CS-\d+$/ }).first().click();
  await expect(page).toHaveURL(/\/cases\/[0-9a-f]{32}$/);
});
