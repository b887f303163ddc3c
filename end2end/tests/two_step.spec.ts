import { Browser, expect, Page, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import * as path from 'node:path';
import { hydrated, logins, scriptsEnabled, signIn } from './helpers';

// Two-step sign-in as a person meets it: a new backup contact (invited by the admin, so no demo
// login the other specs share gets a factor) sets up an app from the Account page, then signs in
// with the password and the code their app shows. The code is computed here from the key the
// page shows, as an authenticator app computes it (RFC 6238: HMAC-SHA1, 30 s, six digits).

const database = path.resolve(__dirname, '..', process.env.E2E_DIR ?? '../target/e2e', 'portal.db');

function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    if (v < 0) throw new Error(`not base32: ${c}`);
    bits += v.toString(2).padStart(5, '0');
  }
  const bytes = bits.match(/.{8}/g) ?? [];
  return Buffer.from(bytes.map((b) => parseInt(b, 2)));
}

/** The code an authenticator app shows for `secret`, `offset` steps from now. */
function totp(secret: string, offset = 0): string {
  const step = Math.floor(Date.now() / 1000 / 30) + offset;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const at = mac[mac.length - 1] & 0x0f;
  const n = (mac.readUInt32BE(at) & 0x7fffffff) % 1_000_000;
  return n.toString().padStart(6, '0');
}

function mailedInvitation(email: string): string {
  const sql =
    'SELECT e.link FROM outbox o JOIN notification_events e ON e.id = o.event_id ' +
    `WHERE o.recipient = '${email.replace(/'/g, "''")}' AND e.link LIKE '%/invite/%' ` +
    'ORDER BY e.created_at DESC LIMIT 1;';
  const link = execFileSync('sqlite3', ['-readonly', '-cmd', '.timeout 5000', database, sql], { encoding: 'utf8' }).trim();
  return link.replace(/^https?:\/\/[^/]+/, '');
}

// Backup contacts: no per-site limit to race the contacts spec over, but only at a site with an
// admin (Frankfurt has none).
const workplaces = {
  desktop: { admin: logins.acmeAdmin, site: 'Acme Boston DC' },
  phone: { admin: logins.acmeAdmin, site: 'Acme Boston DC' },
  'no-js': { admin: logins.globexAdmin, site: 'Globex Tokyo DC' },
} as const;

async function freshPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({
    baseURL: test.info().project.use.baseURL,
    javaScriptEnabled: scriptsEnabled(),
  });
  return context.newPage();
}

/** An admin invites a backup contact, who sets a password; returns their address. */
async function newContact(page: Page, browser: Browser, password: string): Promise<string> {
  const project = test.info().project.name as keyof typeof workplaces;
  const { admin, site } = workplaces[project];
  const email = `two-step-${project}-${Date.now()}@example.com`;
  await signIn(page, admin);
  await page.goto('/contacts');
  await hydrated(page);
  const form = page.getByRole('form', { name: 'Add a contact' });
  if (!(await form.isVisible())) {
    await page.locator('summary', { hasText: 'Add a contact' }).click();
  }
  const siteValue = await form.locator('option', { hasText: site }).getAttribute('value');
  await form.getByLabel('Site').selectOption(siteValue ?? '');
  await form.getByLabel('Role').selectOption('backup_contact');
  await form.getByLabel('E-mail address').fill(email);
  await form.getByLabel('Full name').fill(`Tess Twostep ${project}`);
  await form.getByRole('button', { name: 'Add contact' }).click();
  await expect(page.locator(`tr[data-contact="${email}"]`)).toContainText('Invitation sent');
  const invitee = await freshPage(browser);
  await invitee.goto(mailedInvitation(email));
  await hydrated(invitee);
  await invitee.getByLabel('New password').fill(password);
  await invitee.getByLabel('Repeat the password').fill(password);
  await invitee.getByRole('button', { name: 'Set password' }).click();
  await expect(invitee.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await invitee.context().close();
  return email;
}

async function passwordStep(page: Page, email: string, password: string) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('a contact sets up an authenticator app and signs in with its code @no-js', async ({ page, browser }) => {
  // Five sign-ins (each a deliberate password hash) and a set-up: longer than one page's budget.
  test.slow();
  const password = 'two-step-passphrase-2026';
  const email = await newContact(page, browser, password);
  const person = await freshPage(browser);
  await passwordStep(person, email, password);
  await expect(person.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();

  // Set up: the QR code, and the key as text for typing (read here as the app would scan it).
  await person.goto('/account');
  await hydrated(person);
  const section = person.getByRole('region', { name: 'Two-step sign-in' });
  await expect(section).toContainText('Status: Off');
  await section.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await expect(section.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  await expect(section.getByRole('link', { name: 'Open it in your authenticator app' })).toHaveAttribute('href', /^otpauth:\/\/totp\//);
  const secret = (await section.locator('code.secret').getAttribute('data-secret')) ?? '';
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await section.getByLabel('Code from the app').fill('000000' === totp(secret) ? '111111' : '000000');
  await section.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
  await expect(person.getByRole('alert').filter({ hasText: 'not right' })).toBeVisible();
  await person.getByRole('region', { name: 'Two-step sign-in' }).getByLabel('Code from the app').fill(totp(secret, -1));
  await person.getByRole('region', { name: 'Two-step sign-in' }).getByRole('button', { name: 'Turn on two-step sign-in' }).click();
  const shown = person.getByRole('status').filter({ hasText: 'shown this once' });
  await expect(shown).toBeVisible();
  const codes = await shown.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allTextContents();
  expect(codes).toHaveLength(10);
  await person.reload();
  await expect(person.getByRole('region', { name: 'Two-step sign-in' })).toContainText('Status: On');
  await expect(person.getByText('shown this once')).toHaveCount(0);

  // Sign out; the password alone now leads to the code.
  await person.getByRole('button', { name: 'Sign out' }).click();
  await expect(person.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await passwordStep(person, email, password);
  await expect(person.getByRole('heading', { level: 1, name: 'Enter your code' })).toBeVisible();
  await expect(person.getByRole('main')).toContainText(email);
  await person.goto('/cases');
  await expect(person.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await person.goBack();
  await person.goto('/login/code');
  await hydrated(person);
  await person.getByLabel('Authentication code').fill(totp(secret));
  await person.getByRole('button', { name: 'Verify' }).click();
  await expect(person.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();

  // A recovery code instead of the phone, once.
  await person.getByRole('button', { name: 'Sign out' }).click();
  await passwordStep(person, email, password);
  await expect(person.getByRole('heading', { level: 1, name: 'Enter your code' })).toBeVisible();
  await hydrated(person);
  await person.getByLabel('Authentication code').fill(codes[0]);
  await person.getByRole('button', { name: 'Verify' }).click();
  await expect(person.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
  await person.context().close();
});
