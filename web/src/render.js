// Turning bot messages into DOM. Every piece of user or bot text goes in through textContent
// (or a text node): never innerHTML. Phone numbers the hospice configured become tel: links
// whose href is built from their digits only.

const STEP_HEADER = /^Step\s+(\d+)\s+of\s+(\d+)\s*[·:\u2013\u2014-]\s*(.+)$/;
const FACT = /^([A-Z][A-Za-z]*(?: [A-Za-z]+){0,2}):\s+(.+)$/;

/** Make an element with a class and optional text (as text, never markup). */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/**
 * If `message` is a routine step, its parts; otherwise null.
 * A step is text whose first line (or a line after a short note) reads
 * "Step N of M · Title", or a message with custom {type: "step", index, total, title}.
 */
export function parseStep(message) {
  const text = typeof message.text === "string" ? message.text : "";
  const custom = message.custom && typeof message.custom === "object" ? message.custom : null;
  const lines = text.split("\n").map((l) => l.trim());
  let at = -1;
  let match = null;
  for (let i = 0; i < Math.min(lines.length, 3); i += 1) {
    match = STEP_HEADER.exec(lines[i]);
    if (match) {
      at = i;
      break;
    }
  }
  const isCustomStep = custom && custom.type === "step";
  if (!match && !isCustomStep) return null;
  const index = Number(match ? match[1] : custom.index);
  const total = Number(match ? match[2] : custom.total);
  if (!Number.isFinite(index) || !Number.isFinite(total) || total < 1) return null;
  const title = match ? match[3] : String(custom.title || "");
  const notes = at > 0 ? lines.slice(0, at).filter(Boolean) : [];
  // The lines after the header, in order: plain text, or "Label: value" facts.
  const parts = [];
  for (const line of at >= 0 ? lines.slice(at + 1) : lines) {
    if (!line) continue;
    const fact = parts.length > 0 ? FACT.exec(line) : null;
    parts.push(fact ? { label: fact[1], text: fact[2] } : { label: null, text: line });
  }
  return { index, total, title, notes, parts };
}

/** Append `text` to `parent`, turning the configured phone numbers into tel: links. */
export function appendText(parent, text, phones) {
  const numbers = (phones || []).filter((p) => p && String(p).trim().length >= 3);
  if (!numbers.length) {
    parent.appendChild(document.createTextNode(text));
    return;
  }
  let rest = String(text);
  while (rest) {
    let best = null;
    for (const phone of numbers) {
      let from = 0;
      for (;;) {
        const i = rest.indexOf(phone, from);
        if (i < 0) break;
        const before = i > 0 ? rest[i - 1] : "";
        const after = rest[i + phone.length] || "";
        if (!/\d/.test(before) && !/\d/.test(after)) {
          if (!best || i < best.i) best = { i, phone };
          break;
        }
        from = i + 1;
      }
    }
    if (!best) {
      parent.appendChild(document.createTextNode(rest));
      return;
    }
    if (best.i > 0) parent.appendChild(document.createTextNode(rest.slice(0, best.i)));
    const a = el("a", "gh-tel", best.phone);
    a.href = "tel:" + best.phone.replace(/[^\d+]/g, "");
    parent.appendChild(a);
    rest = rest.slice(best.i + best.phone.length);
  }
}

/** Paragraphs (blank-line separated) as <p> elements; single newlines kept by CSS. */
export function paragraphs(text, phones) {
  const frag = document.createDocumentFragment();
  String(text)
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .forEach((p) => {
      const para = el("p", "gh-p");
      appendText(para, p, phones);
      frag.appendChild(para);
    });
  return frag;
}

/** How a step-control button should look, from its payload or title. */
export function buttonKind(button) {
  const p = String(button.payload || "").toLowerCase();
  const t = String(button.title || "").toLowerCase();
  const cmd = /"command"\s*:\s*"(\w+)"/.exec(p);
  const word = cmd ? cmd[1] : t;
  if (word === "next" || t === "next" || t === "finish") return "primary";
  if (word === "stop" || t === "stop") return "stop";
  return "plain";
}

let cardSeq = 0;

/** The card for a routine step; `actions` (a buttons group or null) goes at its foot. */
export function stepCard(step, phones, actions) {
  cardSeq += 1;
  const card = el("article", "gh-card");
  const titleId = "gh-card-title-" + cardSeq;
  card.setAttribute("aria-labelledby", titleId);
  step.notes.forEach((n) => {
    const note = el("p", "gh-card-note");
    appendText(note, n, phones);
    card.appendChild(note);
  });
  const top = el("div", "gh-card-top");
  const count = el("p", "gh-card-count", `Step ${step.index} of ${step.total}`);
  const bar = el("div", "gh-progress");
  bar.setAttribute("aria-hidden", "true");
  const fill = el("div", "gh-progress-fill");
  fill.style.width = Math.max(0, Math.min(100, (100 * step.index) / step.total)) + "%";
  bar.appendChild(fill);
  top.append(count, bar);
  const title = el("h3", "gh-card-title", step.title);
  title.id = titleId;
  card.append(top, title);
  let dl = null;
  step.parts.forEach(({ label, text }) => {
    if (!label) {
      dl = null;
      const p = el("p", "gh-card-text");
      appendText(p, text, phones);
      card.appendChild(p);
      return;
    }
    if (!dl) {
      dl = el("dl", "gh-facts");
      card.appendChild(dl);
    }
    const row = el("div", "gh-fact");
    const dd = el("dd");
    appendText(dd, text, phones);
    row.append(el("dt", null, label), dd);
    dl.appendChild(row);
  });
  if (actions) card.appendChild(actions);
  return card;
}
