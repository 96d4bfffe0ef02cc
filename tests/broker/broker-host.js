// The Worker that hosts the broker for tests/broker: the package's AndOpenTokenBroker as is,
// and TestBroker, the same class with counters (which renewals the alarm made, the client's
// events) and a view of its storage for the secret scan. Not part of the package.
import { AndOpenTokenBroker } from "andopen-client";

export { AndOpenTokenBroker };

export class TestBroker extends AndOpenTokenBroker {
  events = [];
  alarms = 0;
  inAlarm = false;
  tokenRequests = { alarm: 0, ask: 0 };

  onClientEvent(event) {
    this.events.push({ ...event, at: Date.now(), inAlarm: this.inAlarm });
    if (event.type === "token_request") this.tokenRequests[this.inAlarm ? "alarm" : "ask"] += 1;
  }

  async alarm() {
    this.alarms += 1;
    this.events.push({ type: "alarm", at: Date.now() });
    this.inAlarm = true;
    try {
      await super.alarm();
    } finally {
      this.inAlarm = false;
    }
  }

  async stats() {
    const stored = Object.fromEntries(await this.ctx.storage.list());
    return {
      alarms: this.alarms,
      tokenRequests: this.tokenRequests,
      events: this.events,
      stored,
      alarmAt: await this.ctx.storage.getAlarm(),
    };
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const name = url.searchParams.get("name");
    const stub = env.BROKER.get(env.BROKER.idFromName(name));
    if (url.pathname === "/stats") return Response.json(await stub.stats());
    return new Response("not found", { status: 404 });
  },
};
