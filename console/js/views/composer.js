// The reply composer: templates with variables, the platform's length counted the platform's
// way (POST /v1/text-length on the responder), public or private, draft and edit.
import { clear, h } from "../dom.js";
import { problemText, t } from "../i18n.js";

// Filled in by the responder itself; the others are asked of the person writing.
const BUILT_IN = new Set(["author.display_name", "author.handle", "author.name", "brand", "case.id",
  "case.priority", "case.team", "post.platform", "post.url", "channel", "agent.id"]);

// Who else is on the case: a colleague drafting or replied, or the brand in the platform's app.
export function collisionText(x) {
  if (x.activity === "replied_natively") {
    return [t("composer.collision.native"), x.url ? [" ", h("a", { href: x.url, target: "_blank", rel: "noopener noreferrer" }, x.url)] : null];
  }
  return t(x.activity === "replied" ? "composer.collision.replied" : "composer.collision.drafting", { who: x.member });
}

export function composer(ctx, c, post, reload) {
  let templates = [];
  let editing = null; // { reply, etag }
  let timer = null;
  const text = h("textarea", { testid: "reply-text", rows: 5 });
  const counter = h("span", { class: "counter", testid: "reply-length" }, "");
  const visibility = h("p", { class: "muted", testid: "reply-visibility" }, "");
  const vars = h("div", { class: "vars", testid: "template-vars" });
  const preview = h("p", { class: "muted preview", testid: "template-preview" });
  const warn = h("div", { testid: "composer-collisions" });
  const problem = h("div", { testid: "composer-problem" });
  const pick = h("select", { testid: "template-select", onchange: () => chooseTemplate() }, h("option", { value: "" }, t("composer.none")));
  const save = h("button", { type: "button", testid: "reply-save", onclick: () => submit(false) }, t("composer.draft"));

  function chooseTemplate() {
    const tpl = templates.find((x) => x.template_id === pick.value);
    clear(vars);
    preview.textContent = tpl ? tpl.body : "";
    for (const name of tpl ? tpl.variables.filter((v) => !BUILT_IN.has(v)) : []) {
      vars.append(h("label", {}, name, h("input", { name, testid: `var-${name}`, required: true })));
    }
  }

  async function measure() {
    if (!post) return;
    try {
      const r = await ctx.api.post("responder", "/v1/text-length", { platform: post.platform, kind: post.kind, text: text.value });
      counter.textContent = t("composer.length", r);
      counter.className = `counter ${r.fits ? "" : "over"}`;
      counter.title = r.fits ? "" : t("composer.too_long", { platform: post.platform });
      visibility.textContent = t(r.visibility === "private" ? "composer.private" : "composer.public", { platform: post.platform });
    } catch (err) {
      counter.textContent = problemText(err);
    }
  }
  text.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(measure, 250);
  });

  async function submit(force) {
    clear(problem);
    try {
      if (editing) {
        const r = await ctx.api.request("responder", "PATCH", `/v1/replies/${encodeURIComponent(editing.reply.reply_id)}`, { body: { text: text.value }, ifMatch: editing.etag });
        editing = { reply: r.data, etag: r.etag };
      } else {
        const body = pick.value && !text.value.trim()
          ? { template_id: pick.value, variables: Object.fromEntries([...vars.querySelectorAll("input")].map((i) => [i.name, i.value])) }
          : { text: text.value };
        if (force) body.force = true;
        const r = await ctx.api.request("responder", "POST", `/v1/cases/${encodeURIComponent(c.id)}/replies`, { body });
        editing = { reply: r.data, etag: r.etag };
        text.value = r.data.text;
      }
      save.textContent = t("composer.update");
      ctx.notify(t("composer.saved"));
      measure();
      await reload();
    } catch (err) {
      const line = h("p", { class: "problem", testid: "composer-error" }, problemText(err));
      if (err.code === "collision") line.append(" ", h("button", { type: "button", testid: "composer-force", onclick: () => submit(true) }, t("composer.force")));
      if (err.code === "version_mismatch") editing = null;
      clear(problem, line);
    }
  }

  const el = h("section", { class: "card composer", testid: "composer" },
    h("h3", {}, t("composer.title")),
    warn,
    h("label", {}, t("composer.template"), pick),
    preview, vars,
    h("label", {}, t("composer.text"), text),
    h("div", { class: "row" }, counter, visibility),
    h("div", { class: "actions" }, save),
    problem);

  ctx.api.get("responder", "/v1/templates", { team: c.team }).then((body) => {
    const wanted = c.language || "en";
    templates = (body.templates || []).sort((a, b) => (b.lang === wanted) - (a.lang === wanted) || a.name.localeCompare(b.name));
    for (const tpl of templates) pick.append(h("option", { value: tpl.template_id, dataset: { name: tpl.name, lang: tpl.lang } }, `${tpl.name} (${tpl.lang})`));
  }).catch((err) => clear(problem, h("p", { class: "problem" }, problemText(err))));
  measure();

  return {
    el,
    stop: () => clearTimeout(timer),
    async edit(reply) {
      const r = await ctx.api.request("responder", "GET", `/v1/replies/${encodeURIComponent(reply.reply_id)}`);
      editing = { reply: r.data, etag: r.etag };
      text.value = r.data.text;
      save.textContent = t("composer.update");
      measure();
      text.focus();
    },
    // Once the reply being edited has gone out (or is going), the composer starts afresh.
    settle(replies) {
      const current = editing && replies.find((r) => r.reply_id === editing.reply.reply_id);
      if (current && ["sending", "sent", "failed"].includes(current.status)) {
        editing = null;
        text.value = "";
        pick.value = "";
        chooseTemplate();
        save.textContent = t("composer.draft");
        measure();
      }
    },
    collisions(list) {
      clear(warn, list.map((x) => h("p", { class: "warn", testid: "composer-collision" }, collisionText(x))));
    },
  };
}
