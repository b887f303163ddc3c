import { Browser, expect, Page, test } from '@playwright/test';
import { hydrated, logins, scriptsEnabled, signIn } from './helpers';

const BOSTON_ARRAY = 'FlashArray//X70 boston-prod-01 (PSX70-BOS-0001)';
/** The contact-center program closes an unanswered proposed resolution by itself. */
const CONTACT_CENTER = 'Contact center org acme-cx (CX-ACME-0001)';

/** Opens a case through the form and returns its URL. */
async function openCase(page: Page, severity: number, subject: string, array = BOSTON_ARRAY) {
  await page.goto('/cases/new');
  await hydrated(page);
  await page.getByLabel('Array or service').selectOption({ label: array });
  await page.getByLabel(new RegExp(`^Severity ${severity} —`)).check();
  await page.getByLabel('Subject').fill(subject);
  await page.getByLabel('Description').fill('Latency spikes on the production volumes since this morning.');
  await page.getByLabel('Business impact').fill('Order processing is slow.');
  await page.getByRole('button', { name: 'Open case' }).click();
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(subject) })).toBeVisible();
  await expect(page).toHaveURL(/\/cases\/[0-9a-f]{32}$/);
  return page.url();
}

async function engineerPage(browser: Browser) {
  const context = await browser.newContext({
    baseURL: test.info().project.use.baseURL,
    javaScriptEnabled: scriptsEnabled(),
  });
  const page = await context.newPage();
  await signIn(page, logins.engineer);
  return page;
}

const deadline = (page: Page, label: string) =>
  page.locator('dl.deadlines dt', { hasText: label }).locator('xpath=following-sibling::dd[1]');

test('a caller opens a Severity 2 case and sees its deadlines, even before hydration @no-js', async ({ page }) => {
  await signIn(page, logins.acmeCaller);
  await openCase(page, 2, `Severity two ${test.info().project.name}`);
  await expect(page.getByText('Severity 2', { exact: true }).first()).toBeVisible();
  await expect(deadline(page, 'Initial response due').locator('time')).toHaveAttribute('datetime', /Z|\+00:00$/);
  await expect(deadline(page, 'Initial response due')).toContainText(/in \d+ (min|h)/);
  await page.getByText('How these deadlines are computed').click();
  await expect(page.locator('details.explanation')).toContainText('Initial response');
  // The case is in the list, with its next update due.
  await page.goto('/cases');
  await expect(page.getByRole('cell', { name: `Severity two ${test.info().project.name}` })).toBeVisible();
});

test('a description keeps its line breaks and a long log line stays inside the page @no-js', async ({ page }) => {
  await signIn(page, logins.acmeCaller);
  await page.goto('/cases/new');
  await hydrated(page);
  const long = 'purearray list --controller ' + 'x'.repeat(400);
  await page.getByLabel('Array or service').selectOption({ label: 'FlashArray//X70 boston-prod-01 (PSX70-BOS-0001)' });
  await page.getByLabel(/^Severity 3 —/).check();
  await page.getByLabel('Subject').fill(`Line breaks ${test.info().project.name}`);
  await page.getByLabel('Description').fill(`1. Rebooted CT0\n2. Ran the health check\n${long}`);
  await page.getByRole('button', { name: 'Open case' }).click();
  const description = page.locator('p.pre').first();
  // innerText follows the rendered layout: collapsed white space would join the lines.
  expect(await description.evaluate((e) => (e as HTMLElement).innerText)).toContain('1. Rebooted CT0\n2. Ran the health check\n');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

test('the open-case form shows the initial-response deadline before submitting, and field errors by the field', async ({ page }) => {
  await signIn(page, logins.acmeCaller);
  await page.goto('/cases/new');
  await hydrated(page);
  // The severity levels and the preview follow the chosen array's program (an island).
  await page.getByLabel('Array or service').selectOption({ label: 'Contact center org acme-cx (CX-ACME-0001)' });
  await expect(page.getByLabel(/^Severity 1 — Critical Impact/)).toBeVisible();
  await page.getByLabel('Array or service').selectOption({ label: 'FlashArray//X70 boston-prod-01 (PSX70-BOS-0001)' });
  await expect(page.getByLabel(/^Severity 1 — Emergency/)).toBeVisible();
  const preview = page.getByRole('status').filter({ hasText: /initial.response/ });
  await page.getByLabel(/^Severity 4 —/).check();
  const low = await preview.textContent();
  await page.getByLabel(/^Severity 1 —/).check();
  await expect(preview).toContainText(/Opened when this page loaded, this case would get its initial response by/);
  await expect(preview).not.toHaveText(low ?? '');
  await page.getByLabel('Subject').fill('Array down');
  await page.getByLabel('Description').fill('Both controllers unreachable.');
  await page.getByRole('button', { name: 'Open case' }).click();
  // Severity 1 needs a contact available at all times: the message sits by that field.
  const nameField = page.locator('.field', { has: page.getByLabel('Name', { exact: true }) });
  await expect(nameField.locator('.field-error')).toBeVisible();
  await expect(page.getByRole('alert').first()).toBeVisible();
  await expect(page).toHaveURL(/\/cases\/new/);
  // The refused form came back as a new page; what was typed and chosen is still there.
  await expect(page.getByLabel('Subject')).toHaveValue('Array down');
  await expect(page.getByLabel('Description')).toHaveValue('Both controllers unreachable.');
  await expect(page.getByLabel(/^Severity 1 —/)).toBeChecked();
  await expect(page.getByRole('status').filter({ hasText: /initial.response/ })).toContainText('Opened when this page loaded');
});

test('the countdown ticks in the browser', async ({ page }) => {
  await signIn(page, logins.acmeCaller);
  await openCase(page, 3, 'Ticking countdown');
  const counter = deadline(page, 'Initial response due').locator('.countdown');
  const first = Number(await counter.getAttribute('data-remaining-seconds'));
  await expect
    .poll(async () => Number(await counter.getAttribute('data-remaining-seconds')), { timeout: 5_000 })
    .toBeLessThan(first);
});

test('support updates move the next update due; raise, resolve, confirm and survey', async ({ page, browser }) => {
  await signIn(page, logins.acmeAdmin);
  const url = await openCase(page, 3, `Lifecycle ${test.info().project.name}`);

  // The customer raises the severity; the raise shows on the case and in the timeline.
  await page.getByLabel('New severity').selectOption('2');
  await page.getByLabel('Reason').fill('Now affecting the order database too.');
  await page.getByRole('button', { name: 'Raise severity' }).click();
  await expect(page.getByText('Severity 2', { exact: true }).first()).toBeVisible();
  await expect(page.locator('.timeline')).toContainText('Severity changed');
  // Changes read in words, never as stored codes ("3 → 2", "in_progress").
  await expect(page.locator('.timeline')).toContainText('Severity 3 → Severity 2');
  const before = await deadline(page, 'Next update due').locator('time').getAttribute('datetime');

  // Support answers with a public update: the update clock restarts from it.
  const engineer = await engineerPage(browser);
  await engineer.goto(url);
  await hydrated(engineer);
  await engineer.getByLabel('Update or note').fill('We are collecting logs from the array.');
  await engineer.getByLabel(/Customer: public update/).check();
  await engineer.getByRole('button', { name: 'Post update' }).click();
  await expect(engineer.locator('.timeline')).toContainText('We are collecting logs');
  // An internal note is chosen explicitly (nothing is preselected) and looks unlike an update.
  await engineer.getByLabel('Update or note').fill('Customer runs firmware 6.5.1, check the known issue.');
  await expect(engineer.getByLabel(/Customer: public update/)).not.toBeChecked();
  await expect(engineer.getByLabel(/Support only: internal note/)).not.toBeChecked();
  await engineer.getByLabel(/Support only: internal note/).check();
  await engineer.getByRole('button', { name: 'Post update' }).click();
  const note = engineer.locator('.timeline li.internal', { hasText: 'firmware 6.5.1' });
  await expect(note.getByText('Support only · not shown to the customer')).toBeVisible();

  await page.reload();
  await expect(page.locator('.timeline')).toContainText('We are collecting logs');
  await expect(page.locator('.timeline')).not.toContainText('firmware 6.5.1');
  await expect(deadline(page, 'Initial response due')).toContainText('Met');
  const after = await deadline(page, 'Next update due').locator('time').getAttribute('datetime');
  expect(after).not.toBe(before);

  // Support proposes a resolution; the customer confirms and answers the survey once.
  await engineer.reload();
  await hydrated(engineer);
  await engineer.getByLabel('Change status to').selectOption('resolution_proposed');
  await engineer.getByLabel('Message to the customer').fill('Fixed by the firmware update; please confirm.');
  await engineer.getByRole('button', { name: 'Change status' }).click();
  await expect(engineer.locator('.status').first()).toHaveText('Resolution proposed');
  await expect(engineer.locator('.timeline')).toContainText(/Status: [A-Z][a-z ]+ → Resolution proposed/);
  await expect(engineer.locator('.timeline')).not.toContainText('resolution_proposed');

  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('region', { name: 'Support proposed a resolution' })).toContainText(
    'Fixed by the firmware update; please confirm.',
  );
  await page.getByRole('button', { name: 'Confirm it is solved' }).click();
  await expect(page.locator('.status').first()).toHaveText('Closed');
  await page.getByRole('radio', { name: '4' }).check();
  await page.getByLabel('Comment (optional)').fill('Quick and clear.');
  await page.getByRole('button', { name: 'Send survey' }).click();
  await expect(page.getByRole('heading', { name: 'Your survey answer' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Send survey' })).toHaveCount(0);
  await engineer.context().close();
});

test("Globex's admin cannot open Acme's case by URL", async ({ page, browser }) => {
  await signIn(page, logins.acmeCaller);
  const url = await openCase(page, 4, 'Private to Acme');
  const context = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  const globex = await context.newPage();
  await signIn(globex, logins.globexAdmin);
  const response = await globex.goto(url);
  expect(response?.status()).toBe(404);
  await expect(globex.getByRole('heading', { level: 1, name: 'Case unavailable' })).toBeVisible();
  await expect(globex.getByRole('main')).not.toContainText('Private to Acme');
  await context.close();
});

test('logs and screenshots are attached to a case; other files are refused by the server', async ({ page }) => {
  await signIn(page, logins.acmeCaller);
  await openCase(page, 4, `Attachments ${test.info().project.name}`);
  await page.getByLabel('Files').setInputFiles([
    { name: 'array.log', mimeType: 'text/plain', buffer: Buffer.from('controller 0 failover at 09:12') },
  ]);
  await page.getByRole('button', { name: 'Attach files' }).click();
  await expect(page.getByRole('status')).toContainText('Attached 1 file');
  const link = page.getByRole('link', { name: 'array.log' });
  await expect(link).toBeVisible();
  const download = await page.request.get((await link.getAttribute('href')) ?? '');
  expect(download.status()).toBe(200);
  expect(await download.text()).toBe('controller 0 failover at 09:12');

  await page.getByLabel('Files').setInputFiles([
    { name: 'tool.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') },
  ]);
  await page.getByRole('button', { name: 'Attach files' }).click();
  await expect(page.getByRole('alert')).toContainText('not accepted');
});

test('a proposed resolution needs its text; the customer reads it beside both answers, with the automatic closure @no-js', async ({
  page,
  browser,
}) => {
  const project = test.info().project.name;
  await signIn(page, logins.acmeAdmin);
  const url = await openCase(page, 3, `Proposal ${project} ${Date.now()}`, CONTACT_CENTER);
  const engineer = await engineerPage(browser);
  await engineer.goto(url);
  await hydrated(engineer);

  // Without the resolution the change is refused, with the reason by the field.
  await engineer.getByLabel('Change status to').selectOption('resolution_proposed');
  await engineer.getByRole('button', { name: 'Change status' }).click();
  const message = engineer.locator('.field', { has: engineer.getByLabel('Message to the customer') });
  await expect(message.locator('.field-error')).toContainText('Enter the resolution');
  await expect(engineer.locator('.status').first()).not.toHaveText('Resolution proposed');

  const resolution = 'The Sales queue routed calls back to the menu.\nThe routing table is fixed; calls reach Sales again.';
  await engineer.getByLabel('Change status to').selectOption('resolution_proposed');
  await engineer.getByLabel('Message to the customer').fill(resolution);
  await engineer.getByRole('button', { name: 'Change status' }).click();
  await expect(engineer.locator('.status').first()).toHaveText('Resolution proposed');
  await engineer.context().close();

  // The customer sees what support proposes, in its own lines, with the two answers side by side.
  await page.goto(url);
  await hydrated(page);
  const proposal = page.getByRole('region', { name: 'Support proposed a resolution' });
  const quoted = proposal.locator('blockquote');
  expect(await quoted.evaluate((e) => (e as HTMLElement).innerText)).toBe(resolution);
  await expect(proposal).toContainText('Sam Support');
  const yes = proposal.getByRole('button', { name: 'Confirm it is solved' });
  const no = proposal.getByRole('button', { name: 'It is not solved' });
  await expect(yes).toBeVisible();
  await expect(no).toBeVisible();
  const [a, b] = [await yes.boundingBox(), await no.boundingBox()];
  if ((page.viewportSize()?.width ?? 0) >= 700) {
    // Side by side: one row, the confirmation first.
    expect(Math.abs((a?.y ?? 0) - (b?.y ?? 100))).toBeLessThan(8);
    expect(a?.x ?? 0).toBeLessThan(b?.x ?? 0);
  }

  // The case closes by itself at the end of the third business day, counted down like the
  // other deadlines, instead of "No update clock".
  await expect(proposal).toContainText('If you do not answer, the case closes by itself on');
  await expect(proposal.locator('time')).not.toHaveCount(0);
  const closes = deadline(page, 'Closes automatically');
  await expect(closes.locator('time')).toHaveAttribute('datetime', /Z|\+00:00$/);
  await expect(closes.locator('.countdown')).toHaveText(/^in \d+ (d|h)/);
  await expect(page.getByText('No update clock', { exact: true })).toHaveCount(0);
  await page.getByText('How these deadlines are computed').click();
  await expect(page.locator('details.explanation')).toContainText('closed at the end of the third business day');
});
