// Sign-in with the configured OpenID provider: authorization code + PKCE, done by
// oidc-client-ts (loaded as /vendor/oidc-client-ts.min.js, the global `oidc`).

export function createAuth(config) {
  const here = `${location.origin}/`;
  const manager = new window.oidc.UserManager({
    authority: config.issuer,
    client_id: config.client_id,
    redirect_uri: here,
    post_logout_redirect_uri: here,
    response_type: "code",
    scope: config.scope || "openid email profile chorus",
    userStore: new window.oidc.WebStorageStateStore({ store: window.sessionStorage }),
    automaticSilentRenew: false,
    loadUserInfo: false,
  });

  return {
    manager,
    async handleCallback() {
      const params = new URLSearchParams(location.search);
      if (!params.has("state") || !(params.has("code") || params.has("error"))) return null;
      try {
        return await manager.signinRedirectCallback();
      } finally {
        history.replaceState(null, "", `${location.pathname}${location.hash}`);
      }
    },
    async user() {
      const user = await manager.getUser();
      return user && !user.expired ? user : null;
    },
    async token() {
      const user = await manager.getUser();
      return user && !user.expired ? user.access_token : null;
    },
    signIn() {
      return manager.signinRedirect({ state: { hash: location.hash } });
    },
    async signOut() {
      await manager.removeUser();
    },
  };
}
