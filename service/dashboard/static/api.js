// The page's only source of data: GraphQL over HTTP at /graphql and subscriptions over WebSocket
// (graphql-transport-ws), both with the bearer token the person signed in with.

export class ApiError extends Error {
  constructor(message, status = 0, errors = []) {
    super(message);
    this.status = status;
    this.errors = errors;
  }
}

export class Api {
  constructor(token, { onUnauthorized = () => {} } = {}) {
    this.token = token;
    this.onUnauthorized = onUnauthorized;
  }

  headers(extra = {}) {
    return { Authorization: `Bearer ${this.token}`, ...extra };
  }

  /** POSTs `body` as `type`; resolves to the response and its JSON ({} when it has none), rejects
   * with ApiError (status 0) when the server cannot be reached. */
  async post(url, type, body) {
    let response;
    try {
      response = await fetch(url, { method: "POST", headers: this.headers({ "Content-Type": type, Accept: "application/json" }), body });
    } catch (error) {
      throw new ApiError(String(error.message || error), 0);
    }
    try {
      return { response, body: await response.json() };
    } catch {
      return { response, body: {} };
    }
  }

  /** Runs a query; resolves to `data`, rejects with ApiError (401 also calls onUnauthorized). */
  async query(query, variables = {}) {
    const { response, body } = await this.post("/graphql", "application/json", JSON.stringify({ query, variables }));
    if (response.status === 401) {
      this.onUnauthorized();
      throw new ApiError(body.errors?.[0]?.message || "unauthorized", 401, body.errors || []);
    }
    if (!response.ok || body.errors?.length) {
      const message = body.errors?.map((e) => e.message).join("; ") || `HTTP ${response.status}`;
      throw new ApiError(message, response.status, body.errors || []);
    }
    return body.data;
  }

  /**
   * POSTs a file's bytes (the import of minutes: service/web/minutes_import.py) with `params` in
   * the query; resolves to the JSON answer, rejects with ApiError (its `code` the server's).
   */
  async upload(path, bytes, params = {}) {
    const { response, body } = await this.post(`${path}?${new URLSearchParams(params)}`, "application/octet-stream", bytes);
    if (response.status === 401) this.onUnauthorized();
    if (!response.ok) {
      const error = new ApiError(body.errors?.[0]?.message || `HTTP ${response.status}`, response.status, body.errors || []);
      error.code = body.errors?.[0]?.extensions?.code || "";
      throw error;
    }
    return body;
  }

  /** GETs a report; resolves to { blob, filename }. */
  async download(path) {
    const response = await fetch(path, { headers: this.headers() });
    if (response.status === 401) this.onUnauthorized();
    if (!response.ok) {
      let message = `HTTP ${response.status}`;
      try {
        message = (await response.json()).errors[0].message;
      } catch {
        /* keep the status */
      }
      throw new ApiError(message, response.status);
    }
    const disposition = response.headers.get("Content-Disposition") || "";
    const match = /filename="([^"]+)"/.exec(disposition);
    return { blob: await response.blob(), filename: match ? match[1] : "report" };
  }
}

/**
 * A graphql-transport-ws client: connection_init with the token, then any number of
 * subscriptions on one socket. Reconnects with backoff and resumes each subscription after the
 * last cursor it delivered (the server replays what came after it), so nothing is missed.
 */
export class Live {
  constructor(token, { onStatus = () => {}, onUnauthorized = () => {} } = {}) {
    this.token = token;
    this.onStatus = onStatus;
    this.onUnauthorized = onUnauthorized;
    this.subscriptions = new Map();
    this.nextId = 1;
    this.socket = null;
    this.acknowledged = false;
    this.closed = false;
    this.retries = 0;
    this.timer = null;
    this.connect();
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}/graphql`;
  }

  connect() {
    if (this.closed) return;
    this.onStatus("connecting");
    this.acknowledged = false;
    const socket = new WebSocket(this.url(), "graphql-transport-ws");
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.send({ type: "connection_init", payload: { authorization: `Bearer ${this.token}` } });
    });
    socket.addEventListener("message", (event) => this.receive(event.data));
    socket.addEventListener("close", (event) => {
      if (this.socket !== socket) return;
      this.acknowledged = false;
      if (event.code === 4401 || event.code === 4403) {
        this.closed = true;
        this.onStatus("offline");
        this.onUnauthorized();
        return;
      }
      if (this.closed) return;
      this.onStatus("offline");
      const delay = Math.min(15000, 500 * 2 ** this.retries);
      this.retries += 1;
      this.timer = setTimeout(() => this.connect(), delay);
    });
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  start(id, sub) {
    const variables = { ...sub.variables };
    if (sub.cursor) variables.after = sub.cursor;
    this.send({ id, type: "subscribe", payload: { query: sub.query, variables } });
  }

  receive(raw) {
    let message;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    switch (message.type) {
      case "connection_ack":
        this.acknowledged = true;
        this.retries = 0;
        this.onStatus("live");
        for (const [id, sub] of this.subscriptions) this.start(id, sub);
        break;
      case "ping":
        this.send({ type: "pong", payload: message.payload });
        break;
      case "next": {
        const sub = this.subscriptions.get(message.id);
        if (!sub) break;
        const data = message.payload?.data;
        if (message.payload?.errors?.length) {
          sub.error?.(message.payload.errors);
          break;
        }
        const field = data && Object.values(data)[0];
        if (field?.cursor) sub.cursor = field.cursor;
        sub.next(field);
        break;
      }
      case "error": {
        const sub = this.subscriptions.get(message.id);
        this.subscriptions.delete(message.id);
        sub?.error?.(message.payload);
        break;
      }
      case "complete":
        this.subscriptions.delete(message.id);
        break;
      default:
        break;
    }
  }

  /** Subscribes; returns a function that stops the subscription. */
  subscribe(query, variables, { next, error } = {}) {
    const id = String(this.nextId++);
    const sub = { query, variables, next, error, cursor: null };
    this.subscriptions.set(id, sub);
    if (this.acknowledged) this.start(id, sub);
    return () => {
      if (this.subscriptions.delete(id) && this.acknowledged) this.send({ id, type: "complete" });
    };
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    this.subscriptions.clear();
    if (this.socket) this.socket.close(1000, "bye");
    this.onStatus("offline");
  }
}
