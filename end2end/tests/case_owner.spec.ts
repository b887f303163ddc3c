import { expect, test } from '@playwright/test';
import { logins, openBostonCase, scriptsEnabled, signIn } from './helpers';

// Written for issue 18 ("Who owns my case"); not yet run by its author (no browser where it was written).
test('an engineer takes a case and the caller sees who owns it @no-js', async ({ page, browser }) => {
  const subject = `Owner ${test.info().project.name} ${Date.now()}`;
  await signIn(page, logins.acmeCaller);
  const url = await openBostonCase(page, subject, 'Snapshots fail every night on two volumes.');
  await expect(page.getByText('Your engineer: Not yet assigned')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Take it' })).toHaveCount(0);

  const context = await browser.newContext({
    baseURL: test.info().project.use.baseURL,
    javaScriptEnabled: scriptsEnabled(),
  });
  const engineer = await context.newPage();
  await signIn(engineer, logins.engineer);
  await engineer.goto(`/cases?owner=unassigned&status=all&search=${encodeURIComponent(subject)}`);
  await expect(engineer.getByRole('cell', { name: subject })).toBeVisible();
  await engineer.goto(url);
  await engineer.getByRole('button', { name: 'Take it' }).click();
  await expect(engineer.getByRole('status')).toContainText('Sam Support owns this case now.');
  await engineer.goto(`/cases?owner=mine&status=all&search=${encodeURIComponent(subject)}`);
  await expect(engineer.getByRole('cell', { name: subject })).toBeVisible();
  await context.close();

  await page.goto(url);
  await expect(page.getByText('Your engineer: Sam Support')).toBeVisible();
  await expect(page.locator('ol.timeline')).toContainText('Owner: — → Sam Support');
});
