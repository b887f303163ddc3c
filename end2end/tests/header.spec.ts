import { expect, test } from '@playwright/test';
import { hydrated, logins, signIn } from './helpers';

test('the bell is a drawn icon with a text name, not an emoji @no-js', async ({ page }) => {
  await signIn(page, logins.acmeCaller);
  const bell = page.getByRole('link', { name: /^Notifications, / });
  await expect(bell.locator('svg')).toHaveCount(1);
  // Where no emoji font is installed an emoji renders as an empty box.
  expect(await bell.innerText()).not.toMatch(/\p{Extended_Pictographic}/u);
});

test('the theme toggle remembers its choice on the next page', async ({ page }) => {
  await signIn(page, logins.acmeCaller);
  await hydrated(page);
  const toggle = page.getByRole('button', { name: 'Dark theme' });
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await toggle.click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.goto('/cases');
  // Drawn dark by the server, from the first paint.
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await hydrated(page);
  await expect(page.getByRole('button', { name: 'Dark theme' })).toHaveAttribute('aria-pressed', 'true');
});

test.describe('on a dark system', () => {
  test.use({ colorScheme: 'dark' });
  test('the first click of the toggle switches to light', async ({ page }) => {
    await signIn(page, logins.acmeCaller);
    await hydrated(page);
    const toggle = page.getByRole('button', { name: 'Dark theme' });
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');
    await toggle.click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  });
});
