import { expect, Page, test } from '@playwright/test';

export const logins = {
  acmeAdmin: { email: 'admin@acme.example', password: 'acme-admin-demo', name: 'Alice Admin', org: 'Acme Corp' },
  acmeCaller: { email: 'caller@acme.example', password: 'acme-caller-demo', name: 'Carl Caller', org: 'Acme Corp' },
  globexAdmin: { email: 'admin@globex.example', password: 'globex-admin-demo', name: 'Gina Globex', org: 'Globex' },
  engineer: { email: 'engineer@support.example', password: 'support-demo', name: 'Sam Support', org: 'Vendor support' },
} as const;

export type Login = (typeof logins)[keyof typeof logins];

/** Waits until the WebAssembly client has hydrated every island of the page (a marker `hydrate()` sets after them). */
export async function hydrated(page: Page) {
  if (scriptsEnabled()) {
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  }
}

/** False in the project that proves pages and forms work before (or without) the client. */
export function scriptsEnabled() {
  return test.info().project.use.javaScriptEnabled !== false;
}

export async function signIn(page: Page, login: Login, path = '/login') {
  await page.goto(path);
  await hydrated(page);
  await page.getByLabel('E-mail address').fill(login.email);
  await page.getByLabel('Password').fill(login.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
}

/** Opens a Severity 3 case on Acme's Boston array and returns its page's URL. */
export async function openBostonCase(page: Page, subject: string, description: string) {
  await page.goto('/cases/new');
  await hydrated(page);
  await page.getByLabel('Array or service').selectOption({ label: 'FlashArray//X70 boston-prod-01 (PSX70-BOS-0001)' });
  await page.getByLabel(/^Severity 3 —/).check();
  await page.getByLabel('Subject').fill(subject);
  await page.getByLabel('Description').fill(description);
  await page.getByRole('button', { name: 'Open case' }).click();
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(subject) })).toBeVisible();
  return page.url();
}
