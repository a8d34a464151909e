// Goal: the front end's colour pairs meet WCAG AA, the countdown warns only near the end, and the one phone rule
// holds. Method: contrast ratios computed from the CSS custom properties of web/public/styles/base.css (so a changed
// colour is re-checked), and the shared pure functions called directly.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { COUNTDOWN_WARNING_SECONDS, countdownTone } from '../../src/shared/countdown.ts';
import { isNorwegianMobile, normalizePhoneNumber } from '../../src/shared/phone-number.ts';

const css = readFileSync(new URL('../../web/public/styles/base.css', import.meta.url), 'utf8');
const tokens = new Map([...css.matchAll(/--([a-z0-9-]+):\s*(#[0-9a-f]{6})\b/gi)].map((m) => [m[1] ?? '', (m[2] ?? '').toLowerCase()]));

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}

function contrast(foreground: string, background: string): number {
  const [a, b] = [luminance(foreground), luminance(background)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}

/** Text colour, background, and whether the text is large (≥ 24px, or ≥ 18.66px bold: 3:1 suffices). */
const PAIRS: [string, string, 'normal' | 'large'][] = [
  ['on-vipps', 'vipps', 'normal'], // app hero and titles on Vipps orange
  ['on-strong', 'vipps-strong', 'normal'], // primary buttons
  ['vipps-strong', 'surface', 'normal'], // links, the tag
  ['on-plum', 'plum', 'normal'], // start page band
  ['on-plum-muted', 'plum', 'normal'],
  ['ink', 'canvas', 'normal'],
  ['muted', 'surface', 'normal'], // captions
  ['muted', 'canvas', 'normal'],
  ['muted', 'surface-2', 'normal'],
  ['ink', 'surface-2', 'normal'], // the countdown chip
  ['ok', 'ok-soft', 'normal'],
  ['bad', 'bad-soft', 'normal'],
  ['warn', 'warn-soft', 'normal'],
  ['warn', 'surface', 'normal'], // the countdown's last minute
  ['vipps-strong', 'vipps-soft', 'normal'], // avatar letters, the portal navigation's current page
  ['ink', 'warn-soft', 'normal'], // the portal's secrets shown once
];

test('every colour pair of the pages meets WCAG AA (4.5:1 for text, 3:1 for large text)', () => {
  for (const [fg, bg, size] of PAIRS) {
    const foreground = tokens.get(fg);
    const background = tokens.get(bg);
    assert.ok(foreground && background, `--${fg} and --${bg} are defined in base.css`);
    const ratio = contrast(foreground, background);
    assert.ok(ratio >= (size === 'large' ? 3 : 4.5), `--${fg} on --${bg}: ${ratio.toFixed(2)}:1`);
  }
});

test('white on Vipps orange fails AA for normal text, which is why small text on orange is dark', () => {
  assert.ok(contrast('#ffffff', tokens.get('vipps') ?? '') < 4.5);
});

test('the countdown is calm until its last minute, then warns', () => {
  assert.equal(countdownTone(300), 'calm');
  assert.equal(countdownTone(COUNTDOWN_WARNING_SECONDS + 1), 'calm');
  assert.equal(countdownTone(COUNTDOWN_WARNING_SECONDS), 'warning');
  assert.equal(countdownTone(0), 'warning');
});

test('one phone rule: formats are corrected, 8 digits starting with 4 or 9 are Norwegian mobiles', () => {
  for (const typed of ['91234567', '912 34 567', '+47 912 34 567', '0047 91234567', '4791234567', '912-34-567']) {
    assert.equal(normalizePhoneNumber(typed), '91234567', typed);
  }
  for (const typed of ['1234567', '912345678', 'abcdefgh', '']) assert.equal(normalizePhoneNumber(typed), null, typed);
  assert.ok(isNorwegianMobile('48000001') && isNorwegianMobile('91234567'));
  assert.ok(!isNorwegianMobile('12345678') && !isNorwegianMobile('22345678'));
});
