// localStorage that never throws (private browsing, storage disabled, quota): falls back to memory.

export class Store {
  constructor(prefix, kind = "local") {
    this.prefix = prefix + ":";
    this.memory = new Map();
    this.backend = null;
    try {
      const s = kind === "session" ? window.sessionStorage : window.localStorage;
      const probe = this.prefix + "probe";
      s.setItem(probe, "1");
      s.removeItem(probe);
      this.backend = s;
    } catch (e) {
      this.backend = null;
    }
  }

  get(key) {
    try {
      if (this.backend) return this.backend.getItem(this.prefix + key);
    } catch (e) {
      /* fall through to memory */
    }
    return this.memory.has(key) ? this.memory.get(key) : null;
  }

  set(key, value) {
    this.memory.set(key, value);
    try {
      if (this.backend) this.backend.setItem(this.prefix + key, value);
    } catch (e) {
      /* memory keeps it for this page */
    }
  }

  remove(key) {
    this.memory.delete(key);
    try {
      if (this.backend) this.backend.removeItem(this.prefix + key);
    } catch (e) {
      /* nothing to do */
    }
  }

  getJSON(key, fallback) {
    const raw = this.get(key);
    if (!raw) return fallback;
    try {
      return JSON.parse(raw);
    } catch (e) {
      return fallback;
    }
  }

  setJSON(key, value) {
    this.set(key, JSON.stringify(value));
  }
}
