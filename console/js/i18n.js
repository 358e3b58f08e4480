// Language choice and message lookup; a missing key shows the English text, never a blank.
import { MESSAGES } from "./messages.js";

const STORE = "chorus.lang";
let current = pick(localStorage.getItem(STORE) || navigator.language || "en");
const listeners = new Set();

function pick(tag) {
  const base = String(tag).slice(0, 2).toLowerCase();
  return MESSAGES[base] ? base : "en";
}

export function lang() {
  return current;
}

export function setLang(tag) {
  current = pick(tag);
  localStorage.setItem(STORE, current);
  document.documentElement.lang = current;
  for (const fn of listeners) fn(current);
}

export function onLangChange(fn) {
  listeners.add(fn);
}

export function t(key, vars = {}) {
  const text = MESSAGES[current][key] ?? MESSAGES.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

export function has(key) {
  return key in MESSAGES[current] || key in MESSAGES.en;
}

// One sentence for an API error, in the UI's language.
export function problemText(err) {
  if (err && err.network) return t("error.network", { service: err.service });
  const code = err && err.code;
  if (code && has(`problem.${code}`)) {
    const field = err.field ? ` (${err.field})` : "";
    const name = code === "missing_variable" ? err.problem?.variable || err.field : field;
    return t(`problem.${code}`, { field: name ?? "" });
  }
  return t("error.generic", {
    service: err?.service ?? "?",
    status: err?.status ?? "?",
    detail: err?.detail || err?.message || "",
  });
}

document.documentElement.lang = current;
