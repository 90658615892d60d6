// SPDX-License-Identifier: MIT
// build.mjs: the panel's build (esbuild, no webpack), offline from node_modules.
//   node build.mjs            dist/: module.js (AMD, what Grafana loads),
//                             plugin.json, img/, README.md, CHANGELOG.md
//   node build.mjs --tests    .build/tests/*.test.cjs for `node --test`
//   node build.mjs --host-imports  prints (JSON) the names module.js takes
//                             from each module Grafana provides
//   node build.mjs --browser [react19]  .build/browser/ (browser19/): a page with real React,
//                             @grafana/data and @grafana/ui that loads
//                             dist/module.js (tests/browser/check_panel.cjs)
//
// module.js is an AMD module, as Grafana's plugin loader (SystemJS) wants:
// react, react-dom, @grafana/data and @grafana/ui are the
// host's (external); the rest, @grafana/flamegraph included, is bundled.
// Two imports are aliased to small local modules (src/shims/): see there.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
const EXTERNAL = ['react', 'react-dom', '@grafana/data', '@grafana/ui'];
const alias = {
  '@grafana/assistant': join(here, 'src/shims/assistant.tsx'),
  'react/jsx-runtime': join(here, 'src/shims/jsx-runtime.ts'),
};
const mode = process.argv[2] ?? '';

// The AMD wrapper around esbuild's CommonJS output: its require() answers
// the host's modules.
function amd(code) {
  const deps = JSON.stringify(EXTERNAL);
  const args = EXTERNAL.map((_, i) => `d${i}`).join(', ');
  return `define(${deps}, function (${args}) {
var __host = {};
${EXTERNAL.map((n, i) => `__host[${JSON.stringify(n)}] = d${i};`).join('\n')}
var require = function (name) {
  if (Object.prototype.hasOwnProperty.call(__host, name)) return __host[name];
  throw new Error('promfiler-flamegraph-panel: no module ' + name);
};
var module = { exports: {} }, exports = module.exports;
${code}
return module.exports;
});
`;
}

// What both builds of src/module.ts share: the plugin's own build and the
// unminified one hostImports reads.
const BUNDLE = {
  entryPoints: [join(here, 'src/module.ts')],
  bundle: true,
  format: 'cjs',
  platform: 'browser',
  target: 'es2020',
  jsx: 'automatic',
  external: EXTERNAL,
  alias,
  write: false,
  logLevel: 'warning',
};

async function buildPlugin() {
  const dist = join(here, 'dist');
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(join(dist, 'img'), { recursive: true });
  const out = await esbuild.build({
    ...BUNDLE,
    minify: process.env.PANEL_DEV !== '1', // PANEL_DEV=1: readable module.js
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  writeFileSync(join(dist, 'module.js'), amd(out.outputFiles[0].text));
  // plugin.json's "updated": the date of this version's CHANGELOG.md entry.
  const entry = readFileSync(join(here, 'CHANGELOG.md'), 'utf8').match(
    new RegExp(`^## ${pkg.version.replace(/\./g, '\\.')} \\((\\d{4}-\\d\\d-\\d\\d)\\)$`, 'm')
  );
  if (!entry) {
    throw new Error(`CHANGELOG.md has no "## ${pkg.version} (YYYY-MM-DD)" entry`);
  }
  const updated = entry[1];
  const plugin = readFileSync(join(here, 'src/plugin.json'), 'utf8')
    .replace('%VERSION%', pkg.version)
    .replace('%UPDATED%', updated);
  JSON.parse(plugin);
  writeFileSync(join(dist, 'plugin.json'), plugin);
  cpSync(join(here, 'src/img'), join(dist, 'img'), { recursive: true });
  for (const f of ['README.md', 'CHANGELOG.md']) {
    cpSync(join(here, f), join(dist, f));
  }
  // module.js bundles @grafana/flamegraph (Apache-2.0): its licence goes along.
  cpSync(join(here, 'node_modules/@grafana/flamegraph/LICENSE_APACHE2'), join(dist, 'LICENSE_grafana-flamegraph'));
  console.log(`  PANEL    dist/ (module.js ${(out.outputFiles[0].text.length / 1024).toFixed(0)} KiB, version ${pkg.version})`);
}

// The names the plugin takes from the host's modules: read from an
// unminified build, where esbuild calls the module `import_<name>N`.
async function hostImports() {
  const out = await esbuild.build(BUNDLE);
  const code = out.outputFiles[0].text;
  const names = {};
  for (const mod of EXTERNAL) {
    const v = 'import_' + mod.split('/').pop().replace(/-/g, '_');
    const found = new Set();
    for (const m of code.matchAll(new RegExp(`\\b${v}\\d*\\.(\\w+)`, 'g'))) {
      found.add(m[1]);
    }
    names[mod] = [...found].filter((n) => n !== 'default').sort();
  }
  console.log(JSON.stringify(names));
}

async function buildTests() {
  const dir = join(here, 'tests');
  const outdir = join(here, '.build/tests');
  rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: readdirSync(dir).filter((f) => f.endsWith('.test.ts')).map((f) => join(dir, f)),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outdir,
    outExtension: { '.js': '.cjs' },
    // @grafana/data bundled: its tree shaking leaves out the browser-only
    // modules (store, react-use) that plain Node cannot load.
    external: ['esbuild'],
    logLevel: 'warning',
  });
}

// The test host; with `react19`, around @grafana/ui and @grafana/data 13.2.3
// and React 19 from tests/browser/react19/ (its own package.json and lock
// file), as Grafana 13.2 would provide them.
async function buildBrowser(react19) {
  const outdir = join(here, react19 ? '.build/browser19' : '.build/browser');
  const mods = react19 ? join(here, 'tests/browser/react19/node_modules') : join(here, 'node_modules');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const hostAlias = {
    '@grafana/assistant': alias['@grafana/assistant'],
    // @grafana/ui's ES build imports CommonJS defaults (react-custom-scrollbars-2)
    // the way webpack allows and Node's rules (which esbuild follows for .mjs)
    // do not; its CommonJS build says what it means.
    '@grafana/ui': join(mods, '@grafana/ui/dist/cjs/index.cjs'),
  };
  // react19: the host's own imports of these resolve in tests/browser/react19/
  // (with the exports maps of the packages found there).
  const hostPackages = /^(react|react-dom|@grafana\/data|@grafana\/ui)(\/.*)?$/;
  const react19Plugin = {
    name: 'react19-host',
    setup(build) {
      build.onResolve({ filter: hostPackages }, async (args) => {
        if (args.pluginData === 'react19' || args.importer.startsWith(mods)) {
          return undefined;
        }
        if (args.path === '@grafana/ui') {
          return { path: hostAlias['@grafana/ui'] };
        }
        return build.resolve(args.path, { kind: args.kind, resolveDir: join(here, 'tests/browser/react19'), pluginData: 'react19' });
      });
    },
  };
  await esbuild.build({
    entryPoints: [join(here, 'tests/browser/host.tsx')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    jsx: 'automatic',
    outfile: join(outdir, 'host.js'),
    define: { 'process.env.NODE_ENV': JSON.stringify(process.env.PANEL_DEV === '1' ? 'development' : 'production'), global: 'window' },
    loader: { '.svg': 'text', '.css': 'empty', '.woff': 'empty', '.woff2': 'empty', '.ttf': 'empty', '.png': 'empty' },
    alias: react19 ? { '@grafana/assistant': alias['@grafana/assistant'] } : hostAlias,
    plugins: react19 ? [react19Plugin] : [],
    logLevel: 'error',
  });
  cpSync(join(here, 'tests/browser/host.html'), join(outdir, 'index.html'));
}

if (mode === '--tests') {
  await buildTests();
} else if (mode === '--host-imports') {
  await hostImports();
} else if (mode === '--browser') {
  await buildBrowser(process.argv[3] === 'react19');
} else if (mode === '') {
  await buildPlugin();
} else {
  console.error(`build.mjs: unknown mode ${mode}`);
  process.exit(2);
}
