import { expect, test } from '@playwright/test';
import { logins, openBostonCase, scriptsEnabled, signIn } from './helpers';

// Written for issue 18 (customer escalation request); not yet run by its author (no browser where
// it was written).
test('a caller requests escalation, sees the deadline, and the engineer acknowledges @no-js', async ({ page, browser }) => {
  const subject = `Escalation ${test.info().project.name} ${Date.now()}`;
  await signIn(page, logins.acmeCaller);
  const url = await openBostonCase(page, subject, 'Replication has lagged for two days.');
  await page.getByLabel('Why should this case be escalated?').fill('Our nightly backups now miss their window.');
  await page.getByRole('button', { name: 'Request escalation' }).click();
  await expect(page.getByRole('status')).toContainText('Your escalation request was sent to support.');
  const panel = page.getByRole('region', { name: 'Escalation' });
  await expect(panel).toContainText('Requested');
  await expect(panel).toContainText('Acknowledgment due');
  await expect(panel.locator('.deadline time')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Request escalation' })).toHaveCount(0);

  const context = await browser.newContext({
    baseURL: test.info().project.use.baseURL,
    javaScriptEnabled: scriptsEnabled(),
  });
  const engineer = await context.newPage();
  await signIn(engineer, logins.engineer);
  await engineer.goto(url);
  await engineer.getByLabel('Acknowledgment note (optional)').fill('Specialists are on it.');
  await engineer.getByRole('button', { name: 'Acknowledge escalation request' }).click();
  await expect(engineer.getByRole('status')).toContainText('The escalation request is acknowledged.');
  await context.close();

  await page.goto(url);
  await expect(page.getByRole('region', { name: 'Escalation' }).locator('.escalation-state')).toHaveText('Acknowledged');
  await expect(page.locator('ol.timeline')).toContainText('Escalation request: Requested → Acknowledged');
});
