// The widget's styles, inside its shadow root (the host page's CSS cannot reach in, and ours
// cannot leak out). Sizes are in em from one base size, so "Larger text" scales everything.
// Colours: body text #1b2126 on white is 15.9:1; muted #4a5560 is 7.4:1; the brand colour is
// darkened in colors.js until it reaches 4.5:1. Tap targets are at least 48px.

export const CSS = `
:host { all: initial; }
:host([hidden]) { display: none !important; }
* { box-sizing: border-box; }
.gh {
  --gh-ink: #1b2126;
  --gh-muted: #4a5560;
  --gh-line: #8a96a0;
  --gh-bot-bg: #eef2f5;
  --gh-stop: #a4262c;
  --gh-focus: var(--gh-accent);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 17px;
  line-height: 1.5;
  color: var(--gh-ink);
}
.gh.gh-large { font-size: 21px; }
.gh-vh {
  position: absolute !important; width: 1px; height: 1px; margin: -1px; padding: 0;
  overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; border: 0;
}
button, input { font: inherit; color: inherit; }
button { cursor: pointer; }
:focus { outline: none; }
:focus-visible { outline: 3px solid var(--gh-focus); outline-offset: 2px; }
a { color: var(--gh-primary); text-decoration: underline; text-underline-offset: 2px; }
.gh-tel { white-space: nowrap; }

/* The panel: a full-height column. */
.gh-panel {
  display: flex; flex-direction: column; background: #fff; overflow: hidden;
  border: 1px solid var(--gh-line); border-radius: 12px;
}
.gh-inline .gh-panel { width: 100%; height: 100%; min-height: 420px; }
.gh-launcher-mode .gh-panel {
  position: fixed; right: 16px; bottom: 88px; z-index: 2147483000;
  width: min(400px, calc(100vw - 32px)); height: min(640px, calc(100vh - 120px));
  box-shadow: 0 12px 40px rgba(0, 0, 0, 0.25);
}
.gh-launcher-mode .gh-panel[hidden] { display: none; }
.gh-launcher {
  position: fixed; right: 16px; bottom: 16px; z-index: 2147483000;
  min-height: 56px; padding: 0.5em 1.2em; border-radius: 28px; border: 2px solid transparent;
  background: var(--gh-primary); color: var(--gh-on-primary); font-weight: 600;
  box-shadow: 0 6px 20px rgba(0, 0, 0, 0.25);
}
.gh-launcher:focus-visible { outline-color: var(--gh-accent); }
@media (max-width: 520px) {
  .gh-launcher-mode .gh-panel {
    inset: 0; right: 0; bottom: 0; width: 100vw; height: 100%; border-radius: 0; border: 0;
  }
  .gh-launcher-mode.gh-open .gh-launcher { display: none; }
}

@media (max-height: 640px) {
  .gh-subtitle { display: none; }
}

/* Header. */
.gh-header {
  --gh-focus: var(--gh-on-primary);
  display: flex; flex-wrap: wrap; align-items: center; gap: 0.4em 0.75em;
  padding: 0.6em 0.75em; background: var(--gh-primary); color: var(--gh-on-primary);
}
.gh-heading { flex: 1 1 7em; min-width: 0; }
.gh-title { margin: 0; font-size: 1.15em; line-height: 1.25; font-weight: 700; }
.gh-subtitle { margin: 0; font-size: 0.85em; }
.gh-tools { display: flex; flex-wrap: wrap; gap: 0.4em; flex: 0 1 auto; }
.gh-tool {
  min-height: 44px; min-width: 44px; padding: 0.2em 0.55em; border-radius: 8px;
  background: transparent; color: inherit; border: 2px solid currentColor; font-size: 0.8em;
}
.gh-tool[aria-pressed="true"] { background: var(--gh-on-primary); color: var(--gh-primary); }

/* The safety line, connection status and restart confirmation. */
.gh-help {
  margin: 0; padding: 0.5em 0.9em; font-size: 0.88em; background: #fff8e6;
  border-bottom: 1px solid #e3c66d;
}
.gh-status:empty { display: none; }
.gh-status {
  padding: 0.6em 0.9em; background: #fdecea; border-bottom: 2px solid var(--gh-stop);
}
.gh-status.gh-ok { background: #e8f5ec; border-bottom-color: #2e7d4f; }
.gh-status.gh-info { background: #f4f6f8; border-bottom-color: var(--gh-line); }
.gh-status p { margin: 0 0 0.3em; }
.gh-confirm {
  padding: 0.6em 0.9em; background: #f4f6f8; border-bottom: 1px solid var(--gh-line);
}
.gh-confirm[hidden] { display: none; }
.gh-confirm p { margin: 0 0 0.4em; }
.gh-row { display: flex; flex-wrap: wrap; gap: 0.5em; }

/* Conversation log. */
.gh-log {
  flex: 1 1 auto; overflow-y: auto; padding: 0.9em 0.75em; display: flex;
  flex-direction: column; gap: 0.7em; overscroll-behavior: contain;
}
.gh-log:focus-visible { outline-offset: -3px; }
.gh-msg { display: flex; flex-direction: column; max-width: 100%; }
.gh-msg.gh-user { align-items: flex-end; }
.gh-bubble {
  max-width: 88%; padding: 0.55em 0.85em; border-radius: 14px; overflow-wrap: anywhere;
  white-space: pre-line;
}
.gh-bot .gh-bubble { background: var(--gh-bot-bg); border-bottom-left-radius: 4px; }
.gh-user .gh-bubble {
  background: var(--gh-primary); color: var(--gh-on-primary); border-bottom-right-radius: 4px;
}
.gh-user .gh-bubble a { color: inherit; }
.gh-p { margin: 0; }
.gh-p + .gh-p { margin-top: 0.6em; }
.gh-note { align-self: center; font-size: 0.85em; color: var(--gh-muted); margin: 0.2em 0; }

/* Quick replies: large, wrapping, easy to tap. */
.gh-replies { display: flex; flex-wrap: wrap; gap: 0.5em; margin-top: 0.55em; }
.gh-reply {
  min-height: 48px; padding: 0.4em 1em; border-radius: 24px; background: #fff;
  color: var(--gh-primary); border: 2px solid var(--gh-primary); font-weight: 600;
  text-align: left; max-width: 100%;
}
.gh-reply:hover { background: #f2f6f8; }
.gh-reply.gh-primary { background: var(--gh-primary); color: var(--gh-on-primary); }
.gh-reply.gh-stop { color: var(--gh-stop); border-color: var(--gh-stop); }

/* Routine step cards. */
.gh-card {
  max-width: 96%; padding: 0.8em 0.9em; border-radius: 14px; background: #fff;
  border: 2px solid var(--gh-primary); white-space: normal;
}
.gh-card-note { margin: 0 0 0.5em; color: var(--gh-muted); }
.gh-card-top { display: flex; align-items: center; gap: 0.7em; }
.gh-card-count { margin: 0; font-weight: 700; color: var(--gh-primary); white-space: nowrap; }
.gh-progress {
  flex: 1; height: 8px; border-radius: 4px; background: #dfe5ea; overflow: hidden;
  border: 1px solid var(--gh-line);
}
.gh-progress-fill { height: 100%; background: var(--gh-accent); }
.gh-card-title { margin: 0.3em 0 0.4em; font-size: 1.2em; line-height: 1.3; }
.gh-card-text { margin: 0 0 0.5em; }
.gh-facts { margin: 0 0 0.3em; padding: 0; }
.gh-fact { display: flex; flex-wrap: wrap; gap: 0 0.4em; margin-bottom: 0.25em; }
.gh-fact dt { font-weight: 700; }
.gh-fact dt::after { content: ":"; }
.gh-fact dd { margin: 0; }
.gh-card .gh-replies { margin-top: 0.7em; }

/* Typing indicator. */
.gh-typing { display: flex; align-items: center; gap: 0.5em; padding: 0 0.9em 0.4em; }
.gh-typing[hidden] { display: none; }
.gh-dots { display: inline-flex; gap: 4px; padding: 0.55em 0.8em; border-radius: 14px;
  background: var(--gh-bot-bg); }
.gh-dots span {
  width: 8px; height: 8px; border-radius: 50%; background: var(--gh-muted);
  animation: gh-blink 1.2s infinite ease-in-out;
}
.gh-dots span:nth-child(2) { animation-delay: 0.2s; }
.gh-dots span:nth-child(3) { animation-delay: 0.4s; }
.gh-typing-label { font-size: 0.85em; color: var(--gh-muted); }
@keyframes gh-blink { 0%, 80%, 100% { opacity: 0.25; } 40% { opacity: 1; } }
@media (prefers-reduced-motion: reduce) {
  .gh-dots span { animation: none; opacity: 0.7; }
  .gh-log { scroll-behavior: auto; }
}

/* Composer. */
.gh-form {
  display: flex; gap: 0.5em; padding: 0.6em 0.75em; border-top: 1px solid var(--gh-line);
  background: #fff;
}
.gh-input {
  flex: 1; min-width: 0; min-height: 48px; padding: 0.4em 0.75em; border-radius: 10px;
  border: 2px solid var(--gh-line); background: #fff; font-size: max(16px, 1em);
}
.gh-input::placeholder { color: var(--gh-muted); opacity: 1; }
.gh-send, .gh-button {
  min-height: 48px; min-width: 48px; padding: 0.4em 1em; border-radius: 10px; border: 2px solid
  var(--gh-primary); background: var(--gh-primary); color: var(--gh-on-primary);
  font-weight: 600;
}
.gh-button.gh-secondary { background: #fff; color: var(--gh-primary); }

@media (forced-colors: active) {
  .gh-bubble, .gh-card, .gh-reply, .gh-tool, .gh-send, .gh-button { border: 2px solid; }
  .gh-progress-fill { background: Highlight; }
}
`;
