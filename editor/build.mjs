// Bundles the card editor (editor/src) into server/static/build/editor.js and editor.css:
// one minified ES module with its source map; and local-drafts.js, the small script every page
// of the app runs to forget other people's unsent edits (src/local-drafts.js).
// `node build.mjs --watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const options = {
  entryPoints: { editor: path.join(here, 'src', 'main.js'), 'local-drafts': path.join(here, 'src', 'local-drafts.js') },
  outdir: path.join(here, '..', 'server', 'static', 'build'),
  bundle: true,
  format: 'esm',
  splitting: false,
  minify: true,
  sourcemap: true,
  sourcesContent: true,
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  legalComments: 'linked',
  logLevel: 'info',
};

if (process.argv.includes('--watch')) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
