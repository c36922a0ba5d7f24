'use strict';
/**
 * koi-plugin-webhook-alert: POST every cluster event of the kinds chosen
 * to a URL, as the event's JSON (the `ClusterEvent` of koi-ha/plugin-api).
 * A Slack or mail alerter is the same few lines with another body.
 *
 *     plugins {
 *       webhook-alert { url "https://alerts.example/koi" }
 *     }
 *
 * @typedef {import('koi-ha/plugin-api').KoiPlugin<WebhookOptions>} WebhookPlugin
 * @typedef {{ url: string, kinds: string[], timeout: number }} WebhookOptions
 */

/** @type {WebhookPlugin} */
const plugin = {
  name: 'webhook-alert',
  version: '1.0.0',
  options: {
    url: { type: 'string', description: 'where to POST each event (http or https)', required: true },
    kinds: {
      type: 'string[]', description: 'event kinds to send (docs/observability.md)',
      default: ['election', 'master', 'failure', 'failover-halt', 'fence'],
      enum: ['election', 'leader', 'master', 'state', 'service', 'failure', 'membership', 'config', 'admin', 'failover-halt', 'fence', 'node'],
    },
    timeout: { type: 'duration', description: 'give up on one POST after this long', default: 5000, min: 100 },
  },
  apply(koi, options) {
    const url = new URL(options.url); // a bad URL stops the start, naming the plugin
    const kinds = new Set(options.kinds);
    const inFlight = new Set();

    // onEvent is synchronous and runs in the node's event loop: start the POST, never wait for it.
    koi.hooks.onEvent.tap('webhook-alert', (event) => {
      if (!kinds.has(event.kind)) return;
      const post = fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(options.timeout),
      }).then((res) => {
        if (!res.ok) koi.logger.warn({ url: url.href, status: res.status }, `webhook ${url.href} answered ${res.status} to event ${event.seq}`);
        return res.body?.cancel();
      }, (err) => {
        koi.logger.warn({ url: url.href, err: String(err) }, `webhook ${url.href} failed for event ${event.seq}: ${err.message ?? err}`);
      }).finally(() => inFlight.delete(post));
      inFlight.add(post);
    });

    // On shutdown, let the last alerts (say, "node stopping" of a master) go out.
    koi.onClose(() => Promise.allSettled([...inFlight]).then(() => undefined));
  },
};

module.exports = plugin;
