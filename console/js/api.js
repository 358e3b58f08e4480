// The services' public HTTP APIs, cross-origin with the signed-in user's bearer token.
// Errors are RFC 9457 problems; they become ApiError with the problem's code and field.

export class ApiError extends Error {
  constructor({ service, status, problem, network }) {
    super(problem?.detail || problem?.title || (network ? "network error" : `HTTP ${status}`));
    this.service = service;
    this.status = status;
    this.problem = problem || {};
    this.code = problem?.code;
    this.field = problem?.field;
    this.detail = problem?.detail;
    this.network = Boolean(network);
  }
}

export class Api {
  constructor(services, token, onUnauthorized) {
    this.services = services;
    this.token = token;
    this.onUnauthorized = onUnauthorized;
  }

  url(service, path, query) {
    const base = this.services[service];
    const url = new URL(path, base.endsWith("/") ? base : `${base}/`);
    url.pathname = new URL(base).pathname.replace(/\/$/, "") + path;
    for (const [key, value] of Object.entries(query || {})) {
      if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, value);
    }
    return url.toString();
  }

  async request(service, method, path, { body, query, ifMatch } = {}) {
    const headers = { Accept: "application/json" };
    const token = await this.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (ifMatch) headers["If-Match"] = ifMatch;
    let response;
    try {
      response = await fetch(this.url(service, path, query), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        mode: "cors",
        credentials: "omit",
      });
    } catch {
      throw new ApiError({ service, status: 0, network: true });
    }
    const type = response.headers.get("content-type") || "";
    const data = type.includes("json") ? await response.json().catch(() => null) : null;
    if (!response.ok) {
      const err = new ApiError({ service, status: response.status, problem: data });
      if (response.status === 401 && this.onUnauthorized) this.onUnauthorized(err);
      throw err;
    }
    return { data, etag: response.headers.get("etag"), status: response.status };
  }

  async get(service, path, query) {
    return (await this.request(service, "GET", path, { query })).data;
  }

  async post(service, path, body, opts = {}) {
    return (await this.request(service, "POST", path, { body, ...opts })).data;
  }
}
