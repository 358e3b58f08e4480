// The console's entry point: configuration, sign-in, who the user is, and the views.
import { Api } from "./api.js";
import { createAuth } from "./auth.js";
import { clear, h } from "./dom.js";
import { lang, onLangChange, problemText, setLang, t } from "./i18n.js";
import { renderApprovals } from "./views/approvals.js";
import { renderCase } from "./views/case.js";
import { renderNotifications } from "./views/notifications.js";
import { renderQueue } from "./views/queue.js";
import { renderTeam } from "./views/team.js";
import { LiveStream } from "./stream.js";

const main = document.querySelector("main");
const notice = document.querySelector("[data-testid=notice]");
const ctx = { me: null, cleanup: null };

function translateStatic() {
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  document.title = t("app.title");
  document.querySelector("[data-testid=language]").value = lang();
}

// Every failure ends on a readable sentence and a way forward, never a blank screen.
function showError(err, retry) {
  const text = err instanceof Error && !("service" in err) ? String(err.message) : problemText(err);
  clear(
    main,
    h(
      "section",
      { class: "error", testid: "error", role: "alert" },
      h("h2", {}, t("error.title")),
      h("p", { testid: "error-text" }, text),
      h("button", { type: "button", onclick: retry || (() => route()) }, t("retry")),
    ),
  );
}

function notify(text, kind = "ok") {
  notice.textContent = text;
  notice.className = `notice ${kind}`;
  notice.hidden = false;
  clearTimeout(notify.timer);
  notify.timer = setTimeout(() => (notice.hidden = true), 6000);
}

async function signIn() {
  try {
    await ctx.auth.signIn();
  } catch {
    signInView(t("signin.unreachable", { issuer: ctx.config.issuer }));
  }
}

function signInView(message) {
  clear(
    main,
    h(
      "section",
      { class: "signin", testid: "signin" },
      h("h1", {}, t("signin.title")),
      h("p", { class: "muted" }, t("signin.lead")),
      message ? h("p", { class: "problem", testid: "signin-error" }, message) : null,
      h("button", { type: "button", testid: "sign-in", onclick: signIn }, t("signin.button")),
    ),
  );
}

// The directory member behind the signed-in account, as the router maps the token.
async function whoAmI(user) {
  const me = await ctx.api.get("router", "/v1/me");
  const member = me.member_id
    ? await ctx.api.get("router", `/v1/members/${encodeURIComponent(me.member_id)}`).catch(() => null)
    : null;
  const teams = (await ctx.api.get("router", "/v1/teams")).items || [];
  const mine = teams.filter((team) => me.teams.includes(team.id));
  return {
    id: me.member_id || me.sub,
    role: me.role,
    name: member?.name || user.profile.name || user.profile.email || me.sub,
    teams: mine,
    leadOf: (me.role === "admin" ? teams : mine)
      .filter((team) => me.role === "admin" || team.lead === me.member_id)
      .map((team) => team.id),
  };
}

function renderChrome() {
  const nav = document.querySelector("[data-testid=nav]");
  nav.hidden = false;
  const teamLinks = document.querySelector("[data-testid=nav-teams]");
  clear(
    teamLinks,
    ctx.me.leadOf.map((id) =>
      h("a", { href: `#/team/${encodeURIComponent(id)}`, testid: `nav-team-${id}` }, t("team.title", { team: id })),
    ),
  );
  document.querySelector("[data-testid=whoami]").textContent = ctx.me.name;
  const out = document.querySelector("[data-testid=sign-out]");
  out.hidden = false;
  out.onclick = async () => {
    await ctx.auth.signOut();
    location.hash = "";
    location.reload();
  };
}

// Notifications arrive on the router's stream whatever the view: the bar counts the unread
// ones (kept by the router across sessions), and the notifications view lists them as they come.
function startNotifications() {
  const count = document.querySelector("[data-testid=notifications-count]");
  const listeners = new Set();
  let unseen = 0;
  const show = () => {
    count.textContent = String(unseen);
    count.hidden = unseen === 0;
  };
  ctx.notifications = {
    // The view read everything up to ``newest``: the router keeps it read.
    async seen(newest) {
      unseen = 0;
      show();
      if (newest) unseen = (await ctx.api.post("router", "/v1/notifications/read", { up_to: newest })).unread;
      show();
    },
    listen(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
  ctx.api.get("router", "/v1/notifications", { member_id: ctx.me.id, unread: true, limit: 1 })
    .then((body) => {
      unseen += body.unread;
      show();
    })
    .catch(() => {}); // the count starts at zero; live ones still add up
  const stream = new LiveStream(ctx.api, "router", {
    events: ["notification"],
    onEvent: (_name, note) => {
      if (note.member_id !== ctx.me.id) return; // an admin's stream carries everyone's
      unseen += 1;
      show();
      for (const fn of listeners) fn(note);
    },
  });
  stream.start();
}

async function route() {
  if (ctx.cleanup) ctx.cleanup();
  ctx.cleanup = null;
  if (!ctx.me) return;
  const parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  clear(main, h("p", { class: "muted" }, t("loading")));
  try {
    if (parts[0] === "case" && parts[1]) ctx.cleanup = await renderCase(ctx, main, parts[1]);
    else if (parts[0] === "approvals") ctx.cleanup = await renderApprovals(ctx, main);
    else if (parts[0] === "notifications") ctx.cleanup = await renderNotifications(ctx, main);
    else if (parts[0] === "team" && parts[1]) ctx.cleanup = await renderTeam(ctx, main, parts[1]);
    else ctx.cleanup = await renderQueue(ctx, main, parts[1] === "team" ? parts[2] : null);
  } catch (err) {
    showError(err);
  }
}

async function boot() {
  translateStatic();
  document.querySelector("[data-testid=language]").addEventListener("change", (e) => setLang(e.target.value));
  onLangChange(() => {
    translateStatic();
    if (ctx.me) {
      renderChrome();
      route();
    } else signInView();
  });
  try {
    const response = await fetch("config.json", { cache: "no-store" });
    ctx.config = await response.json();
  } catch (err) {
    showError(new Error(`config.json: ${err.message}`), () => location.reload());
    return;
  }
  ctx.auth = createAuth(ctx.config);
  ctx.api = new Api(ctx.config.services, () => ctx.auth.token(), () => signInView(t("problem.token_expired")));
  ctx.notify = notify;
  ctx.showError = showError;
  let signedIn;
  try {
    signedIn = await ctx.auth.handleCallback();
    if (signedIn?.state?.hash) location.hash = signedIn.state.hash;
  } catch (err) {
    signInView(t("signin.failed", { detail: err.message }));
    return;
  }
  const user = signedIn || (await ctx.auth.user());
  if (!user) {
    signInView();
    return;
  }
  try {
    ctx.me = await whoAmI(user);
  } catch (err) {
    showError(err, () => location.reload());
    return;
  }
  renderChrome();
  startNotifications();
  window.addEventListener("hashchange", route);
  await route();
}

window.addEventListener("unhandledrejection", (event) => showError(event.reason));
boot();
