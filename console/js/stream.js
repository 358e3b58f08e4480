// A live stream (SSE) from a service: POST /v1/stream/tickets, then EventSource(url?ticket=…).
// A dropped stream reconnects with a fresh ticket and the last event id it saw.

export class LiveStream {
  constructor(api, service, { query = {}, events = [], onEvent, onState }) {
    this.api = api;
    this.service = service;
    this.query = query;
    this.events = events;
    this.onEvent = onEvent;
    this.onState = onState || (() => {});
    this.lastEventId = null;
    this.source = null;
    this.stopped = false;
    this.delay = 1000;
    this.timer = null;
  }

  async start() {
    this.stopped = false;
    try {
      const { ticket } = await this.api.post(this.service, "/v1/stream/tickets", {});
      if (this.stopped) return;
      const query = { ...this.query, ticket };
      if (this.lastEventId) query.last_event_id = this.lastEventId;
      const source = new EventSource(this.api.url(this.service, "/v1/stream", query));
      this.source = source;
      source.onopen = () => {
        this.delay = 1000;
        this.onState("live");
      };
      source.onerror = () => this.retry();
      for (const name of this.events) {
        source.addEventListener(name, (message) => this.deliver(name, message));
      }
    } catch (err) {
      this.onState("offline", err);
      this.schedule();
    }
  }

  deliver(name, message) {
    if (message.lastEventId) this.lastEventId = message.lastEventId;
    let data = null;
    try {
      data = JSON.parse(message.data);
    } catch {
      return;
    }
    this.onEvent(name, data);
  }

  retry() {
    // EventSource would retry with the same (spent) ticket: close it and ask for a new one.
    if (this.source) this.source.close();
    this.source = null;
    this.onState("offline");
    this.schedule();
  }

  schedule() {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.start();
    }, this.delay);
    this.delay = Math.min(this.delay * 2, 30000);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = null;
    if (this.source) this.source.close();
    this.source = null;
  }
}
