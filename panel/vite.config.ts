import { reactRouter } from '@react-router/dev/vite';
import tailwindcss from '@tailwindcss/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [tailwindcss(), reactRouter()],
  // The panel has no environment variables of its own; everything comes from the API.
  envPrefix: 'HOSTPLANE_PANEL_PUBLIC_',
  // The repository root holds React 18 (tap's reporter needs it), and npm hoists react-router
  // there too: resolve React from this package so client and server use one copy, React 19.
  resolve: { dedupe: ['react', 'react-dom'] },
  // The server build is self-contained (React, React Router bundled): the host imports it
  // without resolving anything from the workspace, and it exports its own request handler.
  ssr: { noExternal: true },
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  // Rolldown prints a page of plugin timings whenever a build is slow (a busy machine, a cold
  // cache); at every `npm start` that is noise, not news.
  build: { rolldownOptions: { checks: { bundlerTimings: false } } },
});
