import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { browserBundles, BUNDLE_ENTRIES, type BundleName } from '../web/bundles.ts';
import { startLinks } from '../web/start-links.ts';
import { renderPage } from '../web/templates.ts';

const PUBLIC = fileURLToPath(new URL('../../../web/public/', import.meta.url));
const hide = true;

/**
 * The front end's files: web/public (styles, favicon) as static files under /_kasse/web/, the bundles built from
 * web/src (in memory, at start), the favicon where browsers look for it, and the start page at /.
 */
export function webRoutes(options: { sandbox: boolean }): FastifyPluginAsync {
  return async (app) => {
    const bundles = await browserBundles();
    await app.register(fastifyStatic, { root: PUBLIC, prefix: '/_kasse/web/', decorateReply: false, index: false, schemaHide: true });

    const sendBundle = (name: BundleName) => {
      const bundle = bundles.get(name);
      if (!bundle) throw new Error(`no bundle ${name}`);
      return bundle;
    };
    for (const name of Object.keys(BUNDLE_ENTRIES) as BundleName[]) {
      app.get(`/_kasse/web/${name}`, { schema: { hide } }, async (request, reply) => {
        const bundle = sendBundle(name);
        reply.header('etag', bundle.etag).header('cache-control', 'no-cache');
        if (request.headers['if-none-match'] === bundle.etag) return reply.code(304).send();
        return reply.type('text/javascript; charset=utf-8').send(bundle.code);
      });
    }

    // Browsers ask for /favicon.ico on every page that names no icon (the API docs, JSON answers): the same SVG.
    const favicon = readFileSync(`${PUBLIC}favicon.svg`);
    app.get('/favicon.ico', { schema: { hide } }, async (_request, reply) =>
      reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(favicon),
    );

    app.get('/', { schema: { hide } }, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').send(
        renderPage('start', {
          links: startLinks(options.sandbox),
          modeText: options.sandbox ? 'This server runs in sandbox mode: every payment is simulated.' : 'This server runs in production mode.',
        }),
      ),
    );
  };
}
