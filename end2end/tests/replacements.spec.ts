import { Browser, expect, Page, test } from '@playwright/test';
import { hydrated, logins, scriptsEnabled, signIn } from './helpers';

/**
 * The desktop, phone and no-JS runs share one database and run side by side: each creates its own
 * replacement with a part number nobody else uses, and finds it by that number.
 */
function partNumber(prefix: string) {
  return `${prefix}-${test.info().project.name}-${Date.now()}`;
}

const card = (page: Page, part: string) => page.getByRole('region', { name: new RegExp(part) });

async function signedIn(browser: Browser, login: (typeof logins)[keyof typeof logins]) {
  const context = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  const page = await context.newPage();
  await signIn(page, login);
  return page;
}

/** Opens the first open case whose subject contains `subject`. */
async function openCase(page: Page, subject: string) {
  await page.goto(`/cases?search=${encodeURIComponent(subject)}`);
  await hydrated(page);
  // A full page load of the case (not a client-side navigation), so its panel is hydrated too.
  const href = await page.getByRole('row').filter({ hasText: subject }).getByRole('link').first().getAttribute('href');
  await page.goto(href ?? '/cases');
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(subject) })).toBeVisible();
  await hydrated(page);
}

async function createReplacement(page: Page, type: string, part: string, technician = false) {
  const panel = page.getByRole('region', { name: 'Replacements', exact: true });
  await panel.getByLabel('Part type').selectOption(type);
  await panel.getByLabel('Part number').fill(part);
  if (technician) await panel.getByLabel('Field technician needed').check();
  await panel.getByRole('button', { name: 'Create replacement' }).click();
  await expect(card(page, part).locator('.status', { hasText: 'Diagnosed' })).toBeVisible();
}

test("the engineer dispatches a drive for an Acme case; Acme's admin sees the deadline ticking, then the delivery and the return reminder @no-js", async ({
  page,
  browser,
}) => {
  const part = partNumber('DRV');
  // Support side: on the case, create the replacement and dispatch it.
  await signIn(page, logins.engineer);
  await openCase(page, 'Latency spikes on production volumes');
  await createReplacement(page, 'drive', part);
  const theirs = card(page, part);
  await theirs.getByRole('button', { name: 'Dispatch' }).click();
  await expect(theirs.locator('.status', { hasText: 'Dispatched' })).toBeVisible();
  // Premium plan: four-hour delivery, counted from the dispatch in the site's time.
  await expect(theirs).toContainText('4-hour delivery');
  await expect(theirs.locator('.countdown')).toHaveText(/^in [34] h/);

  // Customer side: Acme's admin sees it with its deadline counting down, on time.
  const admin = await signedIn(browser, logins.acmeAdmin);
  await admin.goto('/replacements');
  await hydrated(admin);
  await expect(admin.getByRole('heading', { level: 1, name: 'Replacements' })).toBeVisible();
  const mine = card(admin, part);
  await expect(mine.locator('.status', { hasText: 'Dispatched' })).toBeVisible();
  await expect(mine).toContainText('On time');
  await expect(mine.locator('time').first()).toContainText(/E[SD]T/);
  const counter = mine.locator('.countdown');
  await expect(counter).toHaveText(/^in [34] h/);
  if (scriptsEnabled()) {
    const first = Number(await counter.getAttribute('data-remaining-seconds'));
    expect(first).toBeGreaterThan(3 * 3600);
    await expect
      .poll(async () => Number(await counter.getAttribute('data-remaining-seconds')), { timeout: 5_000 })
      .toBeLessThan(first);
  }
  await expect(mine.getByRole('button', { name: 'Dispatch' })).toHaveCount(0);
  await expect(mine.getByRole('button', { name: 'Mark shipped' })).toHaveCount(0);

  // Support ships it (carrier and tracking number), then records the delivery.
  await theirs.getByLabel('Carrier').fill('UPS');
  await theirs.getByLabel('Tracking number').fill(`1Z-${part}`);
  await theirs.getByRole('button', { name: 'Mark shipped' }).click();
  await expect(theirs.locator('.tracking')).toHaveText(`1Z-${part}`);
  await theirs.getByRole('button', { name: 'Mark delivered' }).click();
  await expect(theirs).toContainText('Delivered on time');

  // The customer sees the delivery and what to do next: return the defective part, by a date.
  await admin.goto('/replacements');
  await hydrated(admin);
  await expect(mine.locator('.status', { hasText: 'Delivered' }).first()).toBeVisible();
  await expect(mine).toContainText('Delivered on time');
  await expect(mine).toContainText(`1Z-${part}`);
  await expect(mine.locator('.next-step')).toContainText(/Return the defective part by \w{3} \d{1,2} \w{3} \d{4}/);
  await expect(mine.locator('.next-step')).toContainText('prepaid return label');
  await admin.context().close();
});

test('a dispatch with a field technician to a site without access details is refused with what is missing @no-js', async ({
  page,
}) => {
  const part = partNumber('CTL');
  await signIn(page, logins.engineer);
  // Acme Frankfurt has no site logistics in the demo.
  await openCase(page, 'Backup window exceeded');
  await createReplacement(page, 'controller', part, true);
  const mine = card(page, part);
  await mine.getByRole('button', { name: 'Dispatch' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'A field technician cannot be dispatched to Acme Frankfurt DC' });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText('the datacenter address');
  await expect(alert).toContainText('the grid coordinates');
  await expect(alert).toContainText('the site security and access instructions');
  await expect(mine.locator('.status', { hasText: 'Diagnosed' })).toBeVisible();
});

test('late deliveries are flagged on the customer dashboard and the support queue; admins edit site logistics @no-js', async ({
  page,
  browser,
}) => {
  await signIn(page, logins.acmeAdmin);
  const late = page.getByRole('region', { name: 'Late deliveries' });
  await expect(late).toContainText('DFM-18TB-C60');
  await expect(late).toContainText('overdue');
  await page.goto('/replacements');
  await hydrated(page);
  const frankfurt = page.getByRole('region', { name: 'Acme Frankfurt DC', exact: true });
  await expect(frankfurt).toContainText('Missing for a field technician');
  await expect(frankfurt.getByRole('button', { name: 'Save site logistics' })).toBeVisible();
  const boston = page.getByRole('region', { name: 'Acme Boston DC', exact: true });
  await expect(boston).toContainText('Ready for a field technician');
  // Saving (unchanged values: other tests read this site) comes back to the card, which says so.
  await boston.getByRole('button', { name: 'Save site logistics' }).click();
  await expect(boston.getByRole('status')).toHaveText('Site logistics saved.');
  await expect(boston).toContainText('Ready for a field technician');

  const engineer = await signedIn(browser, logins.engineer);
  await engineer.goto('/cases');
  await hydrated(engineer);
  await expect(engineer.getByRole('region', { name: 'Late deliveries' })).toContainText('Acme Corp');

  // An authorized caller sees the logistics but cannot change them; nothing of Globex shows.
  const caller = await signedIn(browser, logins.acmeCaller);
  await caller.goto('/replacements');
  await hydrated(caller);
  await expect(caller.getByRole('region', { name: 'Acme Boston DC', exact: true })).toContainText('Data hall 2, row C');
  await expect(caller.getByRole('button', { name: 'Save site logistics' })).toHaveCount(0);
  await expect(caller.getByRole('main')).not.toContainText('Globex');
  await engineer.context().close();
  await caller.context().close();
});
