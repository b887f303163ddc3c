import { expect, test } from '@playwright/test';
import { hydrated, logins, signIn } from './helpers';

for (const [key, login] of Object.entries(logins)) {
  test(`${key} signs in and out @no-js`, async ({ page }) => {
    await signIn(page, login);
    await expect(page.getByRole('banner')).toContainText(login.name);
    await expect(page.getByRole('banner')).toContainText(login.org);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
    // The session is gone on the server: the dashboard sends us back to sign-in.
    await page.goto('/');
    await expect(page).toHaveURL(/\/login\?next=\/$/);
  });
}

test('a wrong password shows an error and stays on sign-in @no-js', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('E-mail address').fill(logins.acmeCaller.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The e-mail address or password is incorrect.');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
});

test('an anonymous visitor is sent to sign-in and comes back after @no-js', async ({ page }) => {
  const response = await page.goto('/contacts');
  expect(response?.ok()).toBeTruthy();
  await expect(page).toHaveURL(/\/login\?next=\/contacts$/);
  await hydrated(page);
  await page.getByLabel('E-mail address').fill(logins.acmeAdmin.email);
  await page.getByLabel('Password').fill(logins.acmeAdmin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/contacts$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Contacts' })).toBeVisible();
});

test('an anonymous request for a page gets a redirect from the server', async ({ request }) => {
  const response = await request.get('/', { maxRedirects: 0, headers: { Accept: 'text/html' } });
  expect(response.status()).toBe(302);
  expect(response.headers()['location']).toBe('/login?next=/');
});

test('unknown pages answer 404 with a page', async ({ page }) => {
  const response = await page.goto('/no/such/page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
});
