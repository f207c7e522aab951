// The Gentle Hands chat widget. A hospice pastes one tag:
//
//   <script src="https://BOT-SERVER/chat/widget.js" data-hospice-phone="0800 555 0100" defer></script>
//
// and gets a "Chat with Gentle Hands" button (or, with data-mode="inline", the chat in place).
// It talks to Rasa's Socket.IO channel (channels/socketio.py), keeps the conversation across
// reloads (the server's session token and the transcript in localStorage), and renders every
// message as text.
//
// Sessions: the server, never the widget, chooses the conversation. It hands out an opaque signed
// token in `session_confirm`; the widget stores it and offers it again on the next connection.
// Anything the server does not recognise gets a new conversation (and a new token). One
// conversation has one live socket: when another tab or window opens it, this one receives
// `session_taken`, is disconnected, and says so; "Continue here" takes the chat back.

import { io } from "socket.io-client";
import { palette } from "./colors.js";
import { appendText, buttonKind, el, paragraphs, parseStep, stepCard } from "./render.js";
import { Store } from "./storage.js";
import { CSS } from "./styles.js";

const KEEP_MESSAGES = 120;
const TYPING_FALLBACK_MS = 4000; // servers without bot_turn_end: hide after a quiet spell
const TYPING_MAX_MS = 45000;
const OFFLINE_GRACE_MS = 1500;

function findScript() {
  if (document.currentScript) return document.currentScript;
  const tagged = document.querySelector("script[data-gentle-hands]");
  if (tagged) return tagged;
  const all = Array.from(document.querySelectorAll("script[src]"));
  return all.reverse().find((s) => /\/widget(\.min)?\.js(\?|$)/.test(s.src)) || null;
}

function readConfig(script) {
  const d = (script && script.dataset) || {};
  let origin = window.location.origin;
  try {
    if (script && script.src) origin = new URL(script.src, window.location.href).origin;
  } catch (e) {
    /* keep the page's origin */
  }
  const title = (d.title || "Gentle Hands").trim();
  return {
    serverUrl: (d.serverUrl || origin).trim().replace(/\/+$/, ""),
    socketPath: d.socketPath || "/socket.io",
    title,
    subtitle: d.subtitle !== undefined ? d.subtitle : "Safe, gentle massage, step by step",
    hospiceName: (d.hospiceName || "").trim(),
    hospicePhone: (d.hospicePhone || "").trim(),
    emergencyNumber: (d.emergencyNumber || "").trim(),
    primaryColor: d.primaryColor,
    accentColor: d.accentColor,
    mode: d.mode === "inline" ? "inline" : "launcher",
    target: d.target || "",
    open: d.open === "true",
    initialPayload: d.initialPayload !== undefined ? d.initialPayload : "/greet",
    storageKey: (d.storageKey || "gentle-hands").replace(/[^\w-]/g, "") || "gentle-hands",
    // "local" keeps the conversation until "Start over"; "session" forgets it when the browser
    // closes (for shared computers).
    storage: d.storage === "session" ? "session" : "local",
    launcherLabel: d.launcherLabel || "Chat with " + title,
  };
}

function normaliseButtons(list) {
  if (!Array.isArray(list)) return [];
  return list
    .filter((b) => b && typeof b === "object")
    .map((b) => ({ title: String(b.title || "").trim(), payload: String(b.payload || b.title || "") }))
    .filter((b) => b.title && b.payload);
}

class Widget {
  constructor(config, script) {
    this.config = config;
    this.script = script;
    this.store = new Store(config.storageKey, config.storage);
    this.session = new Store(config.storageKey, "session");
    this.sessionId = this.store.get("session") || null;
    this.transcript = this.store.getJSON("log", []);
    if (!Array.isArray(this.transcript)) this.transcript = [];
    this.ready = false; // connected and session confirmed
    this.everConnected = false;
    this.taken = false; // the conversation is open in another tab or window (session_taken)
    this.socket = null;
    this.phones = [config.hospicePhone, config.emergencyNumber].filter(Boolean);
    this.timers = {};
    this.turnStart = null;
    this.focusNextReplies = false;
    this.greeted = false;
  }

  // ---------------------------------------------------------------- building the DOM
  mount() {
    const c = this.config;
    const host = el("div", "gentle-hands-widget");
    host.setAttribute("data-gentle-hands-host", "");
    const colours = palette(c.primaryColor, c.accentColor);
    Object.keys(colours).forEach((k) => host.style.setProperty(k, colours[k]));
    if (c.mode === "inline") {
      const target = c.target ? document.querySelector(c.target) : null;
      if (target) target.appendChild(host);
      else if (this.script && this.script.parentNode) this.script.parentNode.insertBefore(host, this.script.nextSibling);
      else document.body.appendChild(host);
      host.style.display = "block";
      host.style.height = "100%";
    } else {
      document.body.appendChild(host);
    }
    this.host = host;
    const root = host.attachShadow({ mode: "open" });
    this.root = root;
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      root.appendChild(el("style", null, CSS));
    }

    const wrap = el("div", "gh " + (c.mode === "inline" ? "gh-inline" : "gh-launcher-mode"));
    if (c.mode === "inline") wrap.style.height = "100%";
    if (this.store.get("large") === "1") wrap.classList.add("gh-large");
    this.wrap = wrap;

    const panel = el("section", "gh-panel");
    panel.id = "gh-panel";
    panel.setAttribute("aria-labelledby", "gh-title");
    if (c.mode === "launcher") {
      panel.setAttribute("role", "dialog");
      panel.setAttribute("aria-modal", "false");
      panel.hidden = true;
      const launcher = el("button", "gh-launcher", c.launcherLabel);
      launcher.type = "button";
      launcher.setAttribute("aria-expanded", "false");
      launcher.setAttribute("aria-controls", "gh-panel");
      launcher.addEventListener("click", () => (panel.hidden ? this.open() : this.close()));
      this.launcher = launcher;
      wrap.appendChild(launcher);
      panel.addEventListener("keydown", (e) => {
        if (e.key === "Escape") {
          e.stopPropagation();
          this.close();
        }
      });
    } else {
      panel.setAttribute("role", "region");
    }
    this.panel = panel;

    // Header: title and tools.
    const header = el("header", "gh-header");
    const heading = el("div", "gh-heading");
    const h = el("h2", "gh-title", c.title);
    h.id = "gh-title";
    heading.appendChild(h);
    if (c.subtitle) heading.appendChild(el("p", "gh-subtitle", c.subtitle));
    const tools = el("div", "gh-tools");
    const large = el("button", "gh-tool", "Larger text");
    large.type = "button";
    large.setAttribute("aria-pressed", String(wrap.classList.contains("gh-large")));
    large.addEventListener("click", () => this.toggleLarge());
    this.largeButton = large;
    const restart = el("button", "gh-tool", "Start over");
    restart.type = "button";
    restart.addEventListener("click", () => this.askRestart());
    this.restartButton = restart;
    tools.append(large, restart);
    if (c.mode === "launcher") {
      const close = el("button", "gh-tool", "Close");
      close.type = "button";
      close.setAttribute("aria-label", "Close chat");
      close.addEventListener("click", () => this.close());
      tools.appendChild(close);
    }
    header.append(heading, tools);

    // The safety line: always visible.
    const help = el("p", "gh-help");
    appendText(help, this.helpLine(), this.phones);

    // Connection status (a live region) and the restart confirmation.
    const status = el("div", "gh-status");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    this.status = status;

    const confirm = el("div", "gh-confirm");
    confirm.hidden = true;
    confirm.setAttribute("role", "group");
    confirm.setAttribute("aria-labelledby", "gh-confirm-q");
    const q = el("p", null, "Start a new conversation? The messages on this screen will be cleared.");
    q.id = "gh-confirm-q";
    const row = el("div", "gh-row");
    const yes = el("button", "gh-button", "Yes, start over");
    yes.type = "button";
    yes.addEventListener("click", () => this.restart());
    const no = el("button", "gh-button gh-secondary", "Keep talking");
    no.type = "button";
    no.addEventListener("click", () => this.cancelRestart());
    row.append(yes, no);
    confirm.append(q, row);
    this.confirm = confirm;
    this.confirmYes = yes;

    // The conversation.
    const log = el("div", "gh-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-relevant", "additions");
    log.setAttribute("aria-label", "Conversation with " + c.title);
    log.tabIndex = -1;
    this.log = log;

    const typing = el("div", "gh-typing");
    typing.hidden = true;
    const dots = el("span", "gh-dots");
    dots.setAttribute("aria-hidden", "true");
    dots.append(el("span"), el("span"), el("span"));
    typing.append(dots, el("span", "gh-typing-label", c.title + " is typing…"));
    this.typing = typing;

    // The composer.
    const form = el("form", "gh-form");
    form.setAttribute("aria-label", "Send a message");
    const label = el("label", "gh-vh", "Your message to " + c.title);
    label.htmlFor = "gh-input";
    const input = el("input", "gh-input");
    input.id = "gh-input";
    input.type = "text";
    input.name = "message";
    input.autocomplete = "off";
    input.maxLength = 4000;
    input.placeholder = "Type your message…";
    input.setAttribute("enterkeyhint", "send");
    const send = el("button", "gh-send", "Send");
    send.type = "submit";
    form.append(label, input, send);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (this.send(input.value)) input.value = "";
    });
    this.input = input;

    panel.append(header, help, status, confirm, log, typing, form);
    wrap.appendChild(panel);
    // Earlier messages go in before the log is in the page, so screen readers do not read the
    // whole history out again on every reload.
    this.restoreTranscript();
    root.appendChild(wrap);
    this.scrollToEnd();

    const wasOpen = this.session.get("open") === "1";
    if (c.mode === "inline") this.connect();
    else if (c.open || wasOpen) this.open({ focus: false });
  }

  /** The always-visible safety line; `lead` starts it ("Worried about them?"). */
  helpLine(lead = "Worried about them?") {
    const c = this.config;
    const who = c.hospiceName || "your hospice";
    let line = c.hospicePhone
      ? `${lead} Call ${who} on ${c.hospicePhone}.`
      : `${lead} Call ${who}'s 24-hour number.`;
    if (c.emergencyNumber) line += ` Emergency: ${c.emergencyNumber}.`;
    return line;
  }

  // ---------------------------------------------------------------- open / close (launcher)
  open({ focus = true } = {}) {
    if (!this.launcher) return;
    this.panel.hidden = false;
    this.wrap.classList.add("gh-open");
    this.launcher.setAttribute("aria-expanded", "true");
    this.session.set("open", "1");
    this.connect();
    this.scrollToEnd();
    if (focus) this.input.focus();
  }

  close() {
    if (!this.launcher) return;
    this.panel.hidden = true;
    this.wrap.classList.remove("gh-open");
    this.launcher.setAttribute("aria-expanded", "false");
    this.session.remove("open");
    this.launcher.focus();
  }

  // ---------------------------------------------------------------- the connection
  connect() {
    if (this.socket) return;
    const c = this.config;
    const socket = io(c.serverUrl, {
      path: c.socketPath,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 8000,
      timeout: 8000,
    });
    this.socket = socket;
    this.timers.connecting = setTimeout(() => {
      if (!this.ready && !this.everConnected) this.setStatus("connecting");
    }, OFFLINE_GRACE_MS);

    socket.on("connect", () => {
      // The token this page's conversation was confirmed with (opaque: only the server can
      // read or make one). A missing or stale one simply gets a new conversation.
      socket.emit("session_request", { session_id: this.sessionId });
    });
    socket.on("session_confirm", (data) => {
      const id = typeof data === "string" ? data : data && data.session_id;
      if (!id) return;
      // A different token means a different conversation: what is on screen no longer belongs.
      if (this.sessionId && id !== this.sessionId) this.clearTranscript();
      this.sessionId = String(id);
      this.store.set("session", this.sessionId);
      const wasOffline = this.everConnected && !this.ready;
      this.ready = true;
      this.everConnected = true;
      clearTimeout(this.timers.connecting);
      clearTimeout(this.timers.offline);
      this.setStatus(wasOffline ? "back" : null);
      if (!this.transcript.length && this.config.initialPayload && !this.greeted) {
        this.greeted = true; // once per page, even if the socket reconnects before the reply
        this.emit(this.config.initialPayload);
      }
    });
    socket.on("bot_uttered", (msg) => this.receive(msg));
    socket.on("bot_turn_end", () => this.hideTyping());
    socket.on("bot_error", () => {
      this.hideTyping();
      this.addNote("Sorry, something went wrong on our side. Please send that again.");
    });
    socket.on("session_taken", () => this.takenElsewhere());
    socket.on("connect_error", () => this.wentOffline(0));
    socket.on("disconnect", (reason) => {
      if (reason === "io client disconnect") return;
      // Closed by the server because another window has the chat: not a lost connection, and
      // socket.io does not reconnect by itself after a server disconnect (which is what we want:
      // the two windows must not keep taking the chat from each other).
      if (this.taken) return;
      this.wentOffline(OFFLINE_GRACE_MS);
    });
  }

  takenElsewhere() {
    this.taken = true;
    this.ready = false;
    this.hideTyping();
    clearTimeout(this.timers.offline);
    this.setStatus("taken");
  }

  /** "Continue here": reconnect with this page's token; the server moves the chat back here. */
  continueHere() {
    if (!this.socket) return;
    this.taken = false;
    this.setStatus("retrying");
    this.socket.connect();
  }

  wentOffline(delay) {
    this.ready = false;
    this.hideTyping();
    clearTimeout(this.timers.offline);
    this.timers.offline = setTimeout(() => {
      if (!this.ready) this.setStatus("offline");
    }, delay);
  }

  retryNow() {
    if (!this.socket) return;
    this.setStatus("retrying");
    this.socket.disconnect();
    this.socket.connect();
  }

  setStatus(kind) {
    const s = this.status;
    clearTimeout(this.timers.status);
    s.className = "gh-status";
    s.textContent = "";
    if (!kind) return;
    const c = this.config;
    if (kind === "connecting" || kind === "retrying") {
      s.appendChild(el("p", null, kind === "connecting" ? "Connecting…" : "Trying again…"));
      return;
    }
    if (kind === "taken") {
      s.classList.add("gh-info");
      s.appendChild(el("p", null, "This chat is open in another window."));
      const here = el("button", "gh-button", "Continue here");
      here.type = "button";
      here.addEventListener("click", () => this.continueHere());
      s.appendChild(here);
      return;
    }
    if (kind === "back") {
      s.classList.add("gh-ok");
      s.appendChild(el("p", null, "Connected again."));
      this.timers.status = setTimeout(() => this.setStatus(null), 4000);
      return;
    }
    if (kind === "offline" || kind === "unsent") {
      const first = el("p");
      first.appendChild(
        el("strong", null, kind === "unsent" ? "Not sent yet: we're not connected." : `We can't reach ${c.title} right now.`),
      );
      first.appendChild(document.createTextNode(" We'll keep trying by ourselves."));
      s.appendChild(first);
      const safety = el("p");
      appendText(safety, this.helpLine("Worried about them in the meantime?"), this.phones);
      s.appendChild(safety);
      const retry = el("button", "gh-button", "Try again now");
      retry.type = "button";
      retry.addEventListener("click", () => this.retryNow());
      s.appendChild(retry);
    }
  }

  // ---------------------------------------------------------------- sending
  emit(text) {
    this.socket.emit("user_uttered", { message: text, session_id: this.sessionId });
    this.showTyping();
  }

  /** Send `text` (a payload, for buttons) and show `shown` as the caregiver's message. */
  send(text, shown) {
    const message = String(text || "").trim();
    if (!message) return false;
    if (!this.ready) {
      if (this.taken) {
        this.setStatus("taken"); // the words stay in the box; "Continue here" is one tap away
        return false;
      }
      if (!this.socket) this.connect();
      this.setStatus("unsent");
      return false;
    }
    this.removeReplies();
    const echo = shown === undefined ? message : shown;
    this.record({ from: "user", text: echo });
    this.turnStart = null;
    this.render({ from: "user", text: echo }, { live: true });
    this.emit(message);
    this.scrollToEnd();
    return true;
  }

  choose(button, event, group) {
    const viaKeyboard = event && event.detail === 0;
    const hadFocus = group.contains(this.root.activeElement);
    if (!this.send(button.payload, button.title)) return;
    if (hadFocus) {
      this.log.focus({ preventScroll: true });
      this.focusNextReplies = viaKeyboard;
    }
  }

  // ---------------------------------------------------------------- receiving
  receive(msg) {
    if (!msg || typeof msg !== "object") return;
    const entry = {
      from: "bot",
      text: typeof msg.text === "string" ? msg.text : "",
      buttons: normaliseButtons(msg.quick_replies || msg.buttons),
    };
    if (msg.custom && typeof msg.custom === "object" && !Array.isArray(msg.custom)) entry.custom = msg.custom;
    const att = msg.attachment;
    if (att && att.type === "image" && att.payload && /^https?:\/\//.test(String(att.payload.src))) {
      entry.image = String(att.payload.src);
    }
    if (!entry.text && !entry.buttons.length && !entry.image && !parseStep(entry)) return;
    this.record(entry);
    const node = this.render(entry, { live: true, buttons: true });
    if (!this.turnStart) this.turnStart = node;
    this.scrollToTurn();
    this.bumpTyping();
  }

  // ---------------------------------------------------------------- rendering
  render(entry, { live = false, buttons = false } = {}) {
    const row = el("div", "gh-msg " + (entry.from === "user" ? "gh-user" : "gh-bot"));
    row.appendChild(el("span", "gh-vh", entry.from === "user" ? "You said:" : this.config.title + " said:"));
    const replies = buttons && entry.buttons && entry.buttons.length ? this.replies(entry.buttons) : null;
    const step = entry.from === "bot" ? parseStep(entry) : null;
    if (step) {
      if (replies) replies.setAttribute("aria-label", "Step controls");
      row.appendChild(stepCard(step, this.phones, replies));
    } else {
      const bubble = el("div", "gh-bubble");
      bubble.appendChild(paragraphs(entry.text || "", entry.from === "bot" ? this.phones : []));
      if (entry.image) {
        const img = el("img", "gh-image");
        img.alt = "Picture from " + this.config.title;
        img.src = entry.image;
        img.style.maxWidth = "100%";
        bubble.appendChild(img);
      }
      row.appendChild(bubble);
      if (replies) row.appendChild(replies);
    }
    this.log.appendChild(row);
    if (live && replies && this.focusNextReplies && this.root.activeElement === this.log) {
      const first = replies.querySelector(".gh-primary") || replies.querySelector("button");
      if (first) first.focus({ preventScroll: true });
      this.focusNextReplies = false;
    }
    return row;
  }

  replies(buttons) {
    const group = el("div", "gh-replies");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Choices");
    buttons.forEach((b) => {
      const btn = el("button", "gh-reply gh-" + buttonKind(b), b.title);
      btn.type = "button";
      btn.addEventListener("click", (e) => this.choose(b, e, group));
      group.appendChild(btn);
    });
    return group;
  }

  removeReplies() {
    this.log.querySelectorAll(".gh-replies").forEach((g) => g.remove());
  }

  addNote(text) {
    this.log.appendChild(el("p", "gh-note", text));
    this.scrollToEnd();
  }

  record(entry) {
    this.transcript.push(entry);
    if (this.transcript.length > KEEP_MESSAGES) this.transcript = this.transcript.slice(-KEEP_MESSAGES);
    this.store.setJSON("log", this.transcript);
  }

  restoreTranscript() {
    // Buttons stay live for the bot's latest answer only (everything after the last user turn).
    let lastUser = -1;
    this.transcript.forEach((entry, i) => {
      if (entry && entry.from === "user") lastUser = i;
    });
    this.transcript.forEach((entry, i) => {
      if (!entry || (entry.from !== "bot" && entry.from !== "user")) return;
      this.render(entry, { buttons: i > lastUser && entry.from === "bot" });
    });
    if (this.transcript.length) this.addNote("Earlier messages from this conversation are shown above.");
  }

  clearTranscript() {
    this.transcript = [];
    this.store.setJSON("log", []);
    this.log.textContent = "";
  }

  scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }

  /** Show the newest messages, but never scroll the start of this turn's answer out of view. */
  scrollToTurn() {
    const log = this.log;
    const end = log.scrollHeight - log.clientHeight;
    if (!this.turnStart) {
      log.scrollTop = end;
      return;
    }
    const top = this.turnStart.offsetTop - log.offsetTop - 8;
    log.scrollTop = Math.max(0, Math.min(end, top));
  }

  // ---------------------------------------------------------------- typing indicator
  showTyping() {
    this.typing.hidden = false;
    clearTimeout(this.timers.typing);
    this.timers.typing = setTimeout(() => this.hideTyping(), TYPING_MAX_MS);
  }

  bumpTyping() {
    if (this.typing.hidden) return;
    clearTimeout(this.timers.typing);
    this.timers.typing = setTimeout(() => this.hideTyping(), TYPING_FALLBACK_MS);
  }

  hideTyping() {
    clearTimeout(this.timers.typing);
    this.typing.hidden = true;
  }

  // ---------------------------------------------------------------- tools
  toggleLarge() {
    const on = this.wrap.classList.toggle("gh-large");
    this.largeButton.setAttribute("aria-pressed", String(on));
    if (on) this.store.set("large", "1");
    else this.store.remove("large");
  }

  askRestart() {
    this.confirm.hidden = false;
    this.confirmYes.focus();
  }

  cancelRestart() {
    this.confirm.hidden = true;
    this.restartButton.focus();
  }

  restart() {
    this.confirm.hidden = true;
    if (!this.ready) {
      this.setStatus(this.taken ? "taken" : "unsent");
      return;
    }
    this.clearTranscript();
    this.turnStart = null;
    this.addNote("New conversation.");
    this.emit("/restart");
    this.input.focus();
  }
}

function startWith(script) {
  if (script && script.dataset.ghMounted) return;
  if (script) script.dataset.ghMounted = "true";
  const widget = new Widget(readConfig(script), script);
  widget.mount();
  window.GentleHands = { open: () => widget.open(), close: () => widget.close() };
}

// document.currentScript only exists while this file first runs: find the tag now.
const current = findScript();
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => startWith(current));
} else {
  startWith(current);
}
