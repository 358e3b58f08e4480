// Small DOM helpers: elements are built with h(), never from HTML strings (no injection).

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "testid") el.dataset.testid = value;
    else if (key === "class") el.className = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function fmtTime(iso, lang) {
  if (!iso) return "—";
  return new Date(iso).toLocaleString(lang, { dateStyle: "short", timeStyle: "short" });
}

// "in 12 min" / "3 h ago", in the UI's language.
export function relative(iso, lang, now = Date.now()) {
  if (!iso) return "—";
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
  const abs = Math.abs(seconds);
  if (abs < 60) return rtf.format(seconds, "second");
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), "hour");
  return rtf.format(Math.round(seconds / 86400), "day");
}

export function slaState(dueIso, breachedIso, now = Date.now()) {
  if (breachedIso) return "breached";
  if (!dueIso) return "none";
  const left = new Date(dueIso).getTime() - now;
  if (left <= 0) return "breached";
  return left < 15 * 60 * 1000 ? "soon" : "ok";
}

export function fmtNumber(n, lang) {
  return typeof n === "number" ? n.toLocaleString(lang) : "—";
}
