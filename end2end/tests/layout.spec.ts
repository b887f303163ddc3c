import { expect, Page, test } from '@playwright/test';
import { logins, signIn } from './helpers';

/** Elements whose box sticks out of the card (or list item, cell, section) that holds them. */
async function clipped(page: Page) {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of document.querySelectorAll('main *')) {
      if (['INPUT', 'TEXTAREA', 'SELECT', 'OPTION'].includes(el.tagName)) continue;
      // Headers kept for screen readers only (phone tables, captions) have no visible box.
      if (el.closest('.visually-hidden, thead, caption') && getComputedStyle(el.closest('.visually-hidden, thead, caption')!).position === 'absolute') continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const box = el.parentElement?.closest('.card, section, li, td, dd');
      if (!box) continue;
      const b = box.getBoundingClientRect();
      if (r.right > b.right + 1 || r.left < b.left - 1) {
        out.push(`${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().slice(0, 40)}" ${Math.round(r.left)}–${Math.round(r.right)} outside ${Math.round(b.left)}–${Math.round(b.right)}`);
      }
    }
    const page = document.documentElement;
    if (page.scrollWidth > page.clientWidth) out.push(`page scrolls sideways: ${page.scrollWidth} > ${page.clientWidth}`);
    return out;
  });
}

// "OVERDUE BY 8…" and tracking numbers were cut off at the edge of desktop cards.
for (const path of ['/replacements', '/remote-assist', '/cases', '/contacts', '/alerts', '/installed-base']) {
  test(`nothing on ${path} sticks out of its card from 320 to 1440 px`, async ({ page }) => {
    await signIn(page, logins.acmeAdmin);
    for (const width of [320, 360, 768, 1024, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(path);
      expect(await clipped(page), `${path} at ${width} px`).toEqual([]);
    }
  });
}

test('the phone navigation shows every section without hiding any behind the edge', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 800 });
  await signIn(page, logins.acmeAdmin);
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const name of ['Dashboard', 'Cases', 'Installed base', 'Contacts', 'Remote Assist', 'Replacements', 'Alerts', 'SLA']) {
    const box = await nav.getByRole('link', { name }).boundingBox();
    expect(box, name).not.toBeNull();
    expect(box!.x, name).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width, name).toBeLessThanOrEqual(360);
  }
});
