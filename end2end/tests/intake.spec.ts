import { expect, test } from '@playwright/test';
import { logins, scriptsEnabled, signIn } from './helpers';

// Written for issue 18 ("Intake on the customer's behalf"); not yet run by its author (no browser
// where it was written). The guides: "a Customer Support Specialist (CSS) fields the call,
// performs basic analysis, and creates a case in our management and tracking system."
const BOSTON_ARRAY = 'FlashArray//X70 boston-prod-01 (PSX70-BOS-0001)';
const CARL = 'Carl Caller · Authorized caller · caller@acme.example';

test('an engineer logs a phone case for Carl Caller and Carl sees it @no-js', async ({ page, browser }) => {
  const subject = `Phoned in ${test.info().project.name} ${Date.now()}`;
  await signIn(page, logins.engineer);
  await page.goto('/cases');
  await page.getByRole('link', { name: 'Log a case for a customer' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Log a case for a customer' })).toBeVisible();
  await page.getByLabel('Organization', { exact: true }).selectOption({ label: 'Acme Corp' });
  await page.getByRole('button', { name: 'Show its arrays and contacts' }).click();
  await page.getByLabel('Array or service').selectOption({ label: BOSTON_ARRAY });
  await page.getByLabel('Reported by (designated contact)').selectOption({ label: CARL });
  await page.getByRole('radio', { name: 'Phone', exact: true }).check();
  await page.getByLabel(/^Severity 3/).check();
  await page.getByLabel('Subject').fill(subject);
  await page.getByLabel('Description').fill('Carl called: one controller failed over overnight.');
  await page.getByRole('button', { name: 'Log case' }).click();
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(subject) })).toBeVisible();
  const url = page.url();

  const context = await browser.newContext({
    baseURL: test.info().project.use.baseURL,
    javaScriptEnabled: scriptsEnabled(),
  });
  const carl = await context.newPage();
  await signIn(carl, logins.acmeCaller);
  await carl.goto(`/cases?status=all&search=${encodeURIComponent(subject)}`);
  await expect(carl.getByRole('cell', { name: subject })).toBeVisible();
  await carl.goto(url);
  await expect(carl.locator('ol.timeline')).toContainText('Opened by phone by Sam Support for Carl Caller');
  await context.close();
});
