import { Browser, expect, Page, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { hydrated, scriptsEnabled } from './helpers';

// The projects run side by side on one database and these tests change passwords: each project
// works on its own demo person, whom no other spec signs in as, and the tests of this file run
// in order within a project (each starts from the password the one before left).
test.describe.configure({ mode: 'serial' });

const people = {
  desktop: { email: 'dana@acme.example', password: 'acme-dana-demo' },
  phone: { email: 'eli@acme.example', password: 'acme-eli-demo' },
  'no-js': { email: 'backup@acme.example', password: 'acme-backup-demo' },
} as const;

type Project = keyof typeof people;
const current: Record<Project, string> = {
  desktop: people.desktop.password,
  phone: people.phone.password,
  'no-js': people['no-js'].password,
};

function me() {
  const project = test.info().project.name as Project;
  return { project, email: people[project].email };
}

// The server under test's database (see playwright.config.ts): the reset e-mail is read from
// its outbox, as the mail relay would receive it. Needs the `sqlite3` command-line tool.
const database = path.resolve(__dirname, '..', process.env.E2E_DIR ?? '../target/e2e', 'portal.db');

/** The path of the newest unused reset link e-mailed to `email`, if the outbox holds one. */
function mailedResetLink(email: string): string {
  const sql =
    'SELECT e.link FROM outbox o JOIN notification_events e ON e.id = o.event_id ' +
    'JOIN password_resets r ON r.event_id = e.id ' +
    `WHERE o.recipient = '${email.replace(/'/g, "''")}' AND r.used_at IS NULL ` +
    'ORDER BY e.created_at DESC LIMIT 1;';
  return execFileSync('sqlite3', ['-readonly', '-cmd', '.timeout 5000', database, sql], { encoding: 'utf8' }).trim();
}

async function signInAs(page: Page, email: string, password: string) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
}

async function openAccount(page: Page) {
  await page.getByRole('banner').getByRole('link', { name: 'Account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Account' })).toBeVisible();
  await hydrated(page);
}

/** Another browser (its own cookies), with scripts as in this project. */
async function otherBrowser(browser: Browser) {
  const context = await browser.newContext({
    baseURL: test.info().project.use.baseURL,
    javaScriptEnabled: scriptsEnabled(),
  });
  return context.newPage();
}

async function expectSignedOut(page: Page) {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login\?next=\/$/);
}

async function changePassword(page: Page, currentPassword: string, next: string) {
  const form = page.getByRole('form', { name: 'Change password' });
  await form.getByLabel('Current password').fill(currentPassword);
  await form.getByLabel('New password', { exact: true }).fill(next);
  await form.getByLabel('Repeat the new password').fill(next);
  await form.getByRole('button', { name: 'Change password' }).click();
}

test('changing the password needs the current one and signs out the other sessions @no-js', async ({ page, browser }) => {
  const { project, email } = me();
  const elsewhere = await otherBrowser(browser);
  await signInAs(elsewhere, email, current[project]);
  await signInAs(page, email, current[project]);
  await openAccount(page);

  const next = `changed-${project}-${Date.now()}`;
  await changePassword(page, 'not-the-current-password', next);
  await expect(page.getByRole('alert')).toHaveText('The current password is not right.');
  await changePassword(page, current[project], next);
  await expect(page.getByRole('status')).toContainText('Your password was changed');
  current[project] = next;

  // This session stays; the other browser's ended on the server.
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
  await expectSignedOut(elsewhere);
  await elsewhere.context().close();
});

test('the sessions list shows where one is signed in and signs out everywhere else @no-js', async ({ page, browser }) => {
  const { project, email } = me();
  const elsewhere = await otherBrowser(browser);
  await signInAs(elsewhere, email, current[project]);
  await signInAs(page, email, current[project]);
  await openAccount(page);

  const sessions = page.getByRole('region', { name: 'Where you are signed in' });
  const rows = sessions.locator('tbody tr');
  expect(await rows.count()).toBeGreaterThanOrEqual(2);
  const mine = rows.filter({ hasText: 'This session' });
  await expect(mine).toHaveCount(1);
  await expect(mine).toContainText('127.0.0.1');

  await sessions.getByRole('button', { name: 'Sign out everywhere else' }).click();
  await expect(page.getByRole('status')).toHaveText(/Signed out of \d+ other sessions?\./);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('This session');
  await expect(sessions).toContainText('You are signed in nowhere else.');
  await expectSignedOut(elsewhere);
  await elsewhere.context().close();
});

test('a forgotten password is reset with the e-mailed link, once @no-js', async ({ page, browser }) => {
  test.setTimeout(60_000);
  const { project, email } = me();
  const signedIn = await otherBrowser(browser);
  await signInAs(signedIn, email, current[project]);

  await page.goto('/login');
  await hydrated(page);
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Forgot your password?' })).toBeVisible();
  await hydrated(page);
  const answer = 'If an account uses that address, we have sent it a link';

  // An address without an account gets the same answer.
  await page.getByLabel('E-mail address').fill(`nobody-${project}@acme.example`);
  await page.getByRole('button', { name: 'Send the link' }).click();
  await expect(page.getByRole('status')).toContainText(answer);
  expect(mailedResetLink(`nobody-${project}@acme.example`)).toBe('');

  await page.getByLabel('E-mail address').fill(email);
  await page.getByRole('button', { name: 'Send the link' }).click();
  await expect(page.getByRole('status')).toContainText(answer);
  let link = '';
  await expect.poll(() => (link = mailedResetLink(email))).toMatch(/^\/reset\/[0-9a-f]{64}$/);

  await page.goto(link);
  await expect(page.getByRole('heading', { level: 1, name: 'Choose a new password' })).toBeVisible();
  await hydrated(page);
  const setPassword = async (pw: string) => {
    await page.getByLabel('New password', { exact: true }).fill(pw);
    await page.getByLabel('Repeat the new password').fill(pw);
    await page.getByRole('button', { name: 'Set password' }).click();
  };
  // Long enough, but one of the most common passwords.
  await setPassword('1q2w3e4r5t6y');
  await expect(page.getByRole('alert')).toContainText('one of the most common');
  const next = `reset-${project}-${Date.now()}`;
  await setPassword(next);
  await expect(page).toHaveURL(/\/login\?reset=done$/);
  await expect(page.getByRole('status')).toContainText('Your password was changed');
  current[project] = next;

  // Every session ended; the new password signs in.
  await expectSignedOut(signedIn);
  await signedIn.context().close();
  await signInAs(page, email, next);

  // The link worked once.
  await page.goto(link);
  await hydrated(page);
  await setPassword(`again-${project}-${Date.now()}`);
  await expect(page.getByRole('alert')).toContainText('already used');
});
