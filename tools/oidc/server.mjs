// A development OpenID Connect provider: the `oidc-provider` package (OpenID Certified) with a
// login form for the users listed in a JSON config. The tests and `make run` start it; it is
// never meant for production, where Chorus trusts the organization's own identity provider.
//
//   node tools/oidc/server.mjs CONFIG.json
//
// CONFIG: {issuer, audience, access_token_ttl?, signing_alg?, keys_file, clients: [{client_id,
// redirect_uris, post_logout_redirect_uris?, client_secret?, audience?, access_token_ttl?}],
// users: [{sub, email, name?, password}]}. Prints "ready ISSUER" once it listens.
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import Provider from "oidc-provider";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const issuer = new URL(config.issuer);
// The resource indicator must be an absolute URI; it is also the tokens' default audience.
const audience = config.audience ?? "urn:chorus:api";
const resourceScope = config.resource_scope ?? "chorus";
const defaultTtl = config.access_token_ttl ?? 600;
const users = new Map(config.users.map((u) => [u.sub, u]));
const byClient = new Map(config.clients.map((c) => [c.client_id, c]));

function newKey(alg) {
  const { privateKey } =
    alg === "ES256"
      ? generateKeyPairSync("ec", { namedCurve: "P-256" })
      : generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { ...privateKey.export({ format: "jwk" }), kid: randomUUID(), alg, use: "sig" };
}

// Signing keys persist in keys_file, so a restart keeps them; a new file is a key rotation.
function loadKeys() {
  if (existsSync(config.keys_file)) return JSON.parse(readFileSync(config.keys_file, "utf8"));
  const first = config.signing_alg ?? "RS256";
  const other = first === "RS256" ? "ES256" : "RS256";
  const jwks = { keys: [newKey(first), newKey(other)] };
  writeFileSync(config.keys_file, JSON.stringify(jwks), { mode: 0o600 });
  return jwks;
}

const clients = config.clients.map((c) => ({
  client_id: c.client_id,
  redirect_uris: c.redirect_uris,
  post_logout_redirect_uris: c.post_logout_redirect_uris ?? [],
  response_types: ["code"],
  grant_types: ["authorization_code", "refresh_token"],
  ...(c.client_secret
    ? { client_secret: c.client_secret, token_endpoint_auth_method: "client_secret_basic" }
    : { token_endpoint_auth_method: "none" }),
}));

const provider = new Provider(issuer.href.replace(/\/$/, ""), {
  clients,
  jwks: loadKeys(),
  cookies: { keys: [config.cookie_key ?? randomUUID()] },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  pkce: { required: () => true },
  clientBasedCORS: () => true,
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, indicator, client) => {
        const own = byClient.get(client.clientId) ?? {};
        return {
          scope: resourceScope,
          audience: own.audience ?? audience,
          accessTokenTTL: own.access_token_ttl ?? defaultTtl,
          accessTokenFormat: "jwt",
          jwt: { sign: { alg: config.signing_alg ?? "RS256" } },
        };
      },
    },
  },
  // The verified e-mail travels in the access token too, so an API can map it to a person.
  async extraTokenClaims(ctx, token) {
    const user = users.get(token.accountId);
    return user ? { email: user.email, email_verified: true } : undefined;
  },
  async findAccount(ctx, sub) {
    const user = users.get(sub);
    if (!user) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { sub, email: user.email, email_verified: true, name: user.name ?? user.email };
      },
    };
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  renderError(ctx, out) {
    ctx.type = "html";
    ctx.body = page("Sign-in error", `<p role="alert">${escape(out.error_description ?? out.error)}</p>`);
  },
});

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto}label,input,button{display:block;width:100%;margin:.4rem 0}</style>
</head><body><h1>${title}</h1>${body}</body></html>`;
}

function loginForm(uid, error) {
  const alert = error ? `<p role="alert">${escape(error)}</p>` : "";
  return page(
    "Sign in to Chorus",
    `${alert}<form method="post" action="/interaction/${uid}/login">
<label>E-mail <input name="login" type="text" autocomplete="username" autofocus required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form>`,
  );
}

async function formBody(req) {
  let raw = "";
  for await (const chunk of req) {
    raw += chunk;
    if (raw.length > 8192) break;
  }
  return new URLSearchParams(raw);
}

// Consent is granted for what the client asked (a first-party console, no consent screen).
async function grantConsent(ctx, details) {
  const { prompt, params, session, grantId } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  const missing = prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(" "));
  }
  const saved = await grant.save();
  await provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId: saved } }, {
    mergeWithLastSubmission: true,
  });
}

provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(ctx.path);
  if (!match) return next();
  ctx.set("cache-control", "no-store");
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (ctx.method === "GET" && !match[2]) {
    if (details.prompt.name === "consent") return grantConsent(ctx, details);
    ctx.type = "html";
    ctx.body = loginForm(details.uid);
    return undefined;
  }
  if (ctx.method === "POST" && match[2]) {
    const form = await formBody(ctx.req);
    const login = (form.get("login") ?? "").trim().toLowerCase();
    const user = [...users.values()].find(
      (u) => u.email.toLowerCase() === login || u.sub === login,
    );
    if (!user || user.password !== form.get("password")) {
      ctx.status = 401;
      ctx.type = "html";
      ctx.body = loginForm(details.uid, "Unknown e-mail or wrong password.");
      return undefined;
    }
    await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: user.sub } }, {
      mergeWithLastSubmission: false,
    });
    return undefined;
  }
  ctx.status = 405;
  return undefined;
});

const server = provider.listen(Number(issuer.port), issuer.hostname, () => {
  process.stdout.write(`ready ${issuer.href.replace(/\/$/, "")}\n`);
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
