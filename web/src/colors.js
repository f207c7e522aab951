// Colour helpers that keep hospice brand colours readable (WCAG 2.2 AA: 4.5:1 for text).

const HEX = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;

/** A #rgb or #rrggbb string, or null for anything else (never passed to CSS unchecked). */
export function parseHex(value) {
  const v = String(value || "").trim();
  if (!HEX.test(v)) return null;
  let h = v.slice(1);
  if (h.length === 3) h = h.split("").map((c) => c + c).join("");
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
}

export function toHex(rgb) {
  return "#" + rgb.map((c) => Math.round(c).toString(16).padStart(2, "0")).join("");
}

function channel(c) {
  const s = c / 255;
  return s <= 0.04045 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
}

export function luminance(rgb) {
  return 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2]);
}

export function contrast(a, b) {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

const WHITE = [255, 255, 255];
const INK = [17, 24, 28];

/** Text colour for a background: white or near-black, whichever reads better. */
export function textOn(rgb) {
  return contrast(rgb, WHITE) >= contrast(rgb, INK) ? WHITE : INK;
}

/** Darken `rgb` until it has at least `ratio` contrast with `background`. */
export function ensureContrast(rgb, background = WHITE, ratio = 4.5) {
  let c = rgb.slice();
  for (let i = 0; i < 40 && contrast(c, background) < ratio; i += 1) {
    c = c.map((v) => v * 0.92);
  }
  return c;
}

/**
 * CSS custom properties for the brand colours. The primary colour is darkened until it reads as
 * text on white (4.5:1) and gets white or near-black text on top of it; the accent (focus ring,
 * progress bar) is kept at 3:1 against white, as WCAG asks of non-text contrast.
 */
export function palette(primaryHex, accentHex) {
  const base = parseHex(primaryHex) || parseHex("#1f5f6b");
  const strong = ensureContrast(base);
  const accent = ensureContrast(parseHex(accentHex) || parseHex("#b45309"), WHITE, 3);
  return {
    "--gh-primary": toHex(strong),
    "--gh-on-primary": toHex(textOn(strong)),
    "--gh-accent": toHex(accent),
  };
}
