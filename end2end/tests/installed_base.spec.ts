import { expect, Page, test } from '@playwright/test';
import { logins, signIn } from './helpers';

/** The row of one array on the installed base (a card below 64rem, a table row above). */
const arrayRow = (page: Page, name: string) => page.locator('tr', { hasText: name });

async function openInstalledBase(page: Page) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Installed base' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Installed base' })).toBeVisible();
}

test('the installed base lists an array with its package and a contract lapsing soon with its days left @no-js', async ({ page }) => {
  await signIn(page, logins.acmeCaller);
  await openInstalledBase(page);
  // Carl is an authorized caller at Boston only: he sees his site, not Frankfurt.
  await expect(page.getByRole('heading', { level: 2, name: 'Acme Boston DC' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Acme Frankfurt DC' })).toHaveCount(0);

  const prod = arrayRow(page, 'FlashArray//X70 boston-prod-01');
  await expect(prod).toContainText('FlashArray//X70R3');
  await expect(prod).toContainText('PSX70-BOS-0001');
  await expect(prod).toContainText('Purity//FA 6.5.8');
  await expect(prod).toContainText('Connected');
  // What the Premium package includes, as the guide's package table says.
  const pkg = prod.getByRole('list', { name: 'What the Premium plan includes' });
  await expect(pkg).toBeVisible();
  await expect(pkg).toContainText('Hotline: 365 x 24 x 7');
  await expect(pkg).toContainText('Response time (Severity 1): 15 minutes');
  await expect(pkg).toContainText('Proactive monitoring: Yes');
  await expect(pkg).toContainText('Hardware replacement: Four-hour delivery');
  await expect(pkg).toContainText('Remote software upgrades: Unlimited');
  await expect(pkg).toContainText('Controller upgrades (Evergreen): Evergreen//Forever');

  // The demo's Portworx contract ends 75 days after the demo was seeded.
  const k8s = arrayRow(page, 'Portworx cluster boston-k8s');
  await expect(k8s.locator('.status', { hasText: 'Lapsing' })).toBeVisible();
  await expect(k8s).toContainText(/support ends after \d{4}-\d{2}-\d{2}, 7[56] days left/);
  await expect(k8s).toContainText('Portworx 3.1.6');
});

test('each site says up front which delivery window the vendor determined for it @no-js', async ({ page }) => {
  // "… and shall notify the customer of such determination upfront." (storage-7.1.3, package
  // table, note 4): the admin sees every site, each with its window before its arrays.
  await signIn(page, logins.acmeAdmin);
  await openInstalledBase(page);
  const frankfurt = page.getByRole('region', { name: 'Acme Frankfurt DC' });
  await expect(frankfurt).toContainText('Six-hour delivery window');
  const boston = page.getByRole('region', { name: 'Acme Boston DC' });
  await expect(boston).toContainText('Four-hour delivery window');
  await expect(boston.locator('dd').filter({ hasText: /^Subscribed$/ })).toBeVisible();

  // Lapsed, and still reinstatable: no new case for it.
  const lab = arrayRow(page, 'FlashArray//X20 fra-lab-02');
  await expect(lab.locator('.status', { hasText: 'Lapsed' })).toBeVisible();
  await expect(lab).toContainText(/reinstatable until \d{4}-\d{2}-\d{2}/);
  await expect(lab.getByRole('link', { name: /Open a case/ })).toHaveCount(0);
  // The dark site's array.
  await expect(arrayRow(page, 'FlashArray//C60 fra-backup-01')).toContainText('Dark site (not connected)');
});

test('"Open a case" opens the case form with that array chosen @no-js', async ({ page }) => {
  await signIn(page, logins.acmeCaller);
  await openInstalledBase(page);
  await arrayRow(page, 'Portworx cluster boston-k8s').getByRole('link', { name: /Open a case/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Open a case' })).toBeVisible();
  await expect(page).toHaveURL(/\/cases\/new\?array=/);
  await expect(page.getByLabel('Array or service').locator('option:checked')).toHaveText(/Portworx cluster boston-k8s/);
  // The severity levels shown are the chosen array's (the classic guide's Portworx table).
  await expect(page.getByText('The classification used when the Software fails to function').first()).toBeVisible();
});

test('support staff choose an organization and see every site, without opening cases @no-js', async ({ page }) => {
  await signIn(page, logins.engineer);
  await openInstalledBase(page);
  await page.getByRole('link', { name: 'Acme Corp' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Acme Frankfurt DC' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Acme Boston DC' })).toBeVisible();
  await expect(page.getByRole('link', { name: /Open a case/ })).toHaveCount(0);
});
