import { Browser, expect, Page, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { hydrated, logins, scriptsEnabled, signIn } from './helpers';

// The server under test's database (see playwright.config.ts), read with the `sqlite3` tool.
const database = path.resolve(__dirname, '..', process.env.E2E_DIR ?? '../target/e2e', 'portal.db');

/** The path of the newest invitation link e-mailed to `email`. */
function mailedInvitation(email: string): string {
  const sql =
    'SELECT e.link FROM outbox o JOIN notification_events e ON e.id = o.event_id ' +
    `WHERE o.recipient = '${email.replace(/'/g, "''")}' AND e.link LIKE '%/invite/%' ` +
    'ORDER BY e.created_at DESC LIMIT 1;';
  const link = execFileSync('sqlite3', ['-readonly', '-cmd', '.timeout 5000', database, sql], { encoding: 'utf8' }).trim();
  return link.replace(/^https?:\/\/[^/]+/, '');
}

// The projects run side by side on one database: each works on its own site, and the tests of
// this file run in order within a project (the invitation test leaves the count as it found it,
// the limit test then fills the site).
test.describe.configure({ mode: 'serial' });

const workplaces = {
  desktop: { admin: logins.acmeAdmin, site: 'Acme Boston DC' },
  phone: { admin: logins.acmeAdmin, site: 'Acme Frankfurt DC' },
  'no-js': { admin: logins.globexAdmin, site: 'Globex Tokyo DC' },
} as const;

function workplace() {
  const project = test.info().project.name as keyof typeof workplaces;
  return { project, ...workplaces[project] };
}

async function openContacts(page: Page) {
  await page.goto('/contacts');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Contacts' })).toBeVisible();
}

/** Opens the add-contact disclosure (folded at the top of the page), then fills and submits it. */
async function addContact(page: Page, site: string, email: string, name: string, role = 'authorized_caller') {
  const form = page.getByRole('form', { name: 'Add a contact' });
  if (!(await form.isVisible())) {
    await page.locator('summary', { hasText: 'Add a contact' }).click();
  }
  const siteValue = await form.locator('option', { hasText: site }).getAttribute('value');
  await form.getByLabel('Site').selectOption(siteValue ?? '');
  await form.getByLabel('Role').selectOption(role);
  await form.getByLabel('E-mail address').fill(email);
  await form.getByLabel('Full name').fill(name);
  await form.getByRole('button', { name: 'Add contact' }).click();
}

/** The second step of removing `name` at `site`: the row's Remove is a link to it. */
async function askToRemove(page: Page, name: string, site: string) {
  await page.getByRole('link', { name: `Remove ${name} at ${site}` }).click();
  await expect(page).toHaveURL(/\/contacts\?remove=[0-9a-f]+#remove-/);
  const confirmation = page.getByRole('group', { name: `Remove ${name} at ${site}?` });
  await expect(confirmation).toBeVisible();
  return confirmation;
}

const callerCount = (page: Page, site: string) =>
  page.getByRole('region', { name: site }).locator('.caller-count');

async function newPage(browser: Browser) {
  const context = await browser.newContext({
    baseURL: test.info().project.use.baseURL,
    javaScriptEnabled: scriptsEnabled(),
  });
  return context.newPage();
}

test('an invited contact sets a password and signs in; removing them signs them out @no-js', async ({ page, browser }) => {
  const { project, admin, site } = workplace();
  const email = `invitee-${project}-${Date.now()}@example.com`;
  const name = `Ivy Invitee ${project}`;
  await signIn(page, admin);
  await openContacts(page);
  await addContact(page, site, email, name);

  // The single-use link is e-mailed to the person (read here from the outbox, as the mail relay
  // receives it) and shown to the admin this once, never in the page's address.
  await expect(page).not.toHaveURL(/invite|[0-9a-f]{64}/);
  const href = mailedInvitation(email);
  expect(href).toMatch(/\/invite\/[0-9a-f]{64}$/);
  const notice = page.getByRole('status').filter({ hasText: 'It is shown here this once' });
  await expect(notice).toContainText(email);
  await expect(notice.getByRole('link', { name: href })).toHaveAttribute('href', href);
  const row = page.locator(`tr[data-contact="${email}"]`);
  await expect(row).toContainText('Invitation sent');
  await page.reload();
  await expect(row).toContainText('Invitation sent');
  await expect(page.getByText('It is shown here this once')).toHaveCount(0);

  const invitee = await newPage(browser);
  await invitee.goto(href);
  await hydrated(invitee);
  await expect(invitee.getByRole('heading', { level: 1, name: 'Set your password' })).toBeVisible();
  await expect(invitee.getByRole('main')).toContainText(email);
  await expect(invitee.getByText('At least 12 characters.')).toBeVisible();
  await invitee.getByLabel('New password').fill('invited-password-2026');
  await invitee.getByLabel('Repeat the password').fill('invited-password-2027');
  await invitee.getByRole('button', { name: 'Set password' }).click();
  await expect(invitee.locator('.field-error')).toContainText('not the same');
  await invitee.getByLabel('New password').fill('invited-password-2026');
  await invitee.getByLabel('Repeat the password').fill('invited-password-2026');
  await invitee.getByRole('button', { name: 'Set password' }).click();
  await expect(invitee.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await hydrated(invitee);
  await invitee.getByLabel('E-mail address').fill(email);
  await invitee.getByLabel('Password').fill('invited-password-2026');
  await invitee.getByRole('button', { name: 'Sign in' }).click();
  await expect(invitee.getByRole('heading', { level: 1, name: 'Contacts' })).toBeVisible();
  await expect(invitee.getByRole('banner')).toContainText(name);

  // The link worked once.
  await invitee.goto(href);
  await expect(invitee.getByRole('alert')).toContainText('already used');

  // The admin removes the contact: the invitee's session ends at once.
  await openContacts(page);
  await expect(row).toContainText('Can sign in');
  const confirmation = await askToRemove(page, name, site);
  await expect(confirmation).toContainText('It is their only role');
  await expect(row).toHaveCount(1);
  await confirmation.getByRole('button', { name: `Remove ${name} at ${site}` }).click();
  await expect(page.getByRole('status')).toContainText(`${name} is no longer a contact at ${site}.`);
  await expect(row).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'History' })).toContainText(`${name} <${email}> removed`);
  await invitee.goto('/contacts');
  await expect(invitee).toHaveURL(/\/login\?next=\/contacts$/);
  await invitee.context().close();
});

test('a removal asks first: Keep keeps the contact, the confirmed removal says so at the top @no-js', async ({ page }) => {
  const { project, admin, site } = workplace();
  const email = `keep-${project}-${Date.now()}@example.com`;
  const name = `Kim Keep ${project}`;
  await signIn(page, admin);
  await openContacts(page);
  await addContact(page, site, email, name);
  const row = page.locator(`tr[data-contact="${email}"]`);
  await expect(row).toHaveCount(1);
  const before = (await callerCount(page, site).textContent()) ?? '';

  // The row's Remove only asks: the confirmation names the person and the site, and Keep leaves
  // everything as it was.
  let confirmation = await askToRemove(page, name, site);
  await expect(confirmation).toBeInViewport();
  await expect(confirmation.getByRole('heading', { name: `Remove ${name} at ${site}?` })).toBeVisible();
  await confirmation.getByRole('link', { name: 'Keep' }).click();
  await expect(page).not.toHaveURL(/remove=/);
  await expect(page.getByRole('group', { name: `Remove ${name} at ${site}?` })).toHaveCount(0);
  await expect(row).toHaveCount(1);
  await expect(callerCount(page, site)).toHaveText(before);
  await expect(page.getByText('is no longer a contact')).toHaveCount(0);

  // One's own row says so before anything happens.
  await page.locator(`tr[data-contact="${admin.email}"]`).first().getByRole('link', { name: /^Remove / }).click();
  const own = page.getByRole('group', { name: /^Remove yourself as admin at / });
  await expect(own).toContainText('This is you.');
  await own.getByRole('link', { name: 'Keep' }).click();
  await expect(page.locator(`tr[data-contact="${admin.email}"]`)).not.toHaveCount(0);

  // Confirmed, the contact goes, and the result is said where the eye is.
  confirmation = await askToRemove(page, name, site);
  await confirmation.getByRole('button', { name: `Remove ${name} at ${site}` }).click();
  const done = page.getByRole('status').filter({ hasText: `${name} is no longer a contact at ${site}.` });
  await expect(done).toBeInViewport();
  await expect(row).toHaveCount(0);
});

test("the admin adds authorized callers up to 5 of 5 and the sixth is refused @no-js", async ({ page }) => {
  const { project, admin, site } = workplace();
  await signIn(page, admin);
  await openContacts(page);
  const text = (await callerCount(page, site).textContent()) ?? '';
  const start = Number(/(\d+) of 5/.exec(text)?.[1] ?? NaN);
  expect(start).toBeLessThan(5);
  for (let n = start; n < 5; n++) {
    await addContact(page, site, `caller-${project}-${n}@example.com`, `Caller ${n} ${project}`);
    await expect(callerCount(page, site)).toContainText(`${n + 1} of 5`);
  }
  await addContact(page, site, `caller-${project}-six@example.com`, `Sixth ${project}`);
  // The refused form comes back open at the top of the page, its error in view.
  const refusal = page.getByRole('form', { name: 'Add a contact' }).getByRole('alert');
  await expect(refusal).toContainText(`${site} already has 5 authorized callers`);
  await expect(refusal).toBeInViewport();
  await expect(callerCount(page, site)).toContainText('5 of 5');
  await expect(page.locator(`tr[data-contact="caller-${project}-six@example.com"]`)).toHaveCount(0);
});

test('an authorized caller sees the list without edit buttons, and a forged request is refused', async ({ page }) => {
  await signIn(page, logins.acmeCaller);
  await openContacts(page);
  const boston = page.getByRole('region', { name: 'Acme Boston DC' });
  await expect(boston.locator('.caller-count')).toContainText(/\d of 5/);
  await expect(boston).toContainText('Alice Admin');
  await expect(boston).toContainText('Bea Backup');
  await expect(page.getByRole('region', { name: 'Team contact' })).toContainText('storage-team@acme.example');
  await expect(page.getByRole('button', { name: /^Remove/ })).toHaveCount(0);
  await expect(page.getByRole('link', { name: /^Remove/ })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Add contact' })).toHaveCount(0);
  await expect(page.locator('summary', { hasText: /^Edit$/ })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'History' })).toHaveCount(0);

  // Only their own details are theirs to edit.
  const mine = page.locator(`tr[data-contact="${logins.acmeCaller.email}"]`);
  await mine.locator('summary', { hasText: 'Edit my details' }).click();
  await mine.getByLabel('Phone').fill('+1 617 555 0123');
  await mine.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator(`tr[data-contact="${logins.acmeCaller.email}"]`)).toContainText('+1 617 555 0123');
  // A phone number dials from the page.
  await expect(
    page.locator(`tr[data-contact="${logins.acmeCaller.email}"]`).getByRole('link', { name: '+1 617 555 0123' }),
  ).toHaveAttribute('href', 'tel:+16175550123');

  // The server refuses what the page does not offer.
  const forged = await page.request.post('/api/contacts/add', {
    headers: { Accept: 'application/json' },
    form: { site_id: 'any', role: 'authorized_caller', email: 'forged@acme.example', name: 'Forged Caller' },
  });
  expect(forged.status()).toBe(403);
  await page.reload();
  await expect(page.getByRole('main')).not.toContainText('Forged Caller');
});
