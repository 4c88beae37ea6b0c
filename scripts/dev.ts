// `npm run dev`: the renderer from Vite's dev server (reloads on every change) in front of the
// browser host API on the default (or --workspace) workspace. The dev server passes the host's
// per-run token on to the API itself, so the page only talks to the dev server.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createServer } from 'vite';
import { startAppHost } from '../main/host/app-host.js';
import { RENDERER_DIR } from '../main/host/paths.js';
import { defaultWorkspaceDir, Workspace } from '../main/workspace.js';

const { values } = parseArgs({ options: { workspace: { type: 'string' }, port: { type: 'string', default: '5173' } } });
const workspace = Workspace.open(values.workspace ?? defaultWorkspaceDir());
const app = await startAppHost(workspace, { rendererDir: RENDERER_DIR });
const host = app.host;
const target = `http://127.0.0.1:${host.port}`;

const vite = await createServer({
  configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
  server: {
    port: Number(values.port),
    proxy: {
      '/api': {
        target,
        ws: true,
        changeOrigin: true,
        headers: { 'X-PlantDesk-Host': host.token },
        configure(proxy) {
          // The API accepts only its own origin; the dev server speaks for its own pages only —
          // a request another site's page makes through it is cut off here.
          proxy.on('proxyReq', (req, incoming, res) => {
            const origin = incoming.headers.origin;
            if (origin !== undefined && origin !== `http://localhost:${values.port}` && origin !== `http://127.0.0.1:${values.port}`) {
              req.destroy();
              res.writeHead(403).end('forbidden origin');
              return;
            }
            req.removeHeader('origin');
          });
          proxy.on('proxyReqWs', (req) => {
            req.removeHeader('origin');
            req.path = req.path.includes('?') ? `${req.path}&host=${host.token}` : `${req.path}?host=${host.token}`;
          });
        },
      },
    },
  },
});
await vite.listen();
console.log(`PlantDesk workspace: ${workspace.dir}`);
vite.printUrls();

const stop = async () => {
  await vite.close();
  await app.close();
  workspace.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
