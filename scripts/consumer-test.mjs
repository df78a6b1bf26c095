#!/usr/bin/env node
// The consumer test: installs drctl's packages the way a DR automation product does and uses them.
// It packs every published package (packages/*, built dist/ required), checks what each tarball
// holds, installs the tarballs with plain npm into a temporary project outside the repository,
// type-checks the embedding examples (examples/embedding) against the shipped .d.ts under
// moduleResolution node16 and bundler, and runs them under Node's default conditions and under
// --conditions=development (what Vite and other dev servers turn on). One pack and one install
// serve every check. KEEP_CONSUMER=1 keeps the temporary project for a look.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const started = Date.now();
const failures = [];
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const log = (line) => console.log(`consumer: ${line} (${elapsed()})`);

/** Published packages: every packages/* folder whose package.json is not private. */
function publishedPackages() {
  return readdirSync(join(root, 'packages'))
    .sort()
    .map((name) => join(root, 'packages', name))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => manifest.private !== true);
}

async function sh(command, args, options = {}) {
  try {
    return await run(command, args, { maxBuffer: 64 * 1024 * 1024, ...options });
  } catch (error) {
    const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim();
    throw new Error(`${command} ${args.join(' ')} failed (exit ${error.code}):\n${output}`, { cause: error });
  }
}

async function pack(pkg, destination) {
  if (!existsSync(join(pkg.dir, 'dist', 'index.js'))) {
    throw new Error(`${pkg.manifest.name} has no dist/index.js: build first (pnpm build).`);
  }
  const { stdout } = await sh('pnpm', ['pack', '--pack-destination', destination], { cwd: pkg.dir });
  const tarball = stdout.trim().split('\n').pop();
  return tarball.startsWith('/') ? tarball : join(destination, tarball);
}

/** Every file a resolver may be sent to: exports under any condition, main, types, bin. */
function entryPoints(manifest) {
  const targets = [];
  const walk = (value) => {
    if (typeof value === 'string') targets.push(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk([manifest.exports, manifest.main, manifest.types, manifest.bin]);
  return targets.filter((target) => !target.includes('*'));
}

/** What a consumer must never receive: workspace protocols, source-only conditions, sources. */
async function inspectTarball(name, tarball) {
  const { stdout: listing } = await sh('tar', ['-tzf', tarball]);
  const files = listing.split('\n').filter(Boolean);
  const { stdout: text } = await sh('tar', ['-xzOf', tarball, 'package/package.json']);
  const manifest = JSON.parse(text);
  const problems = [];
  if (text.includes('workspace:')) problems.push('a workspace: version');
  if (text.includes('@drctl/source')) problems.push('the @drctl/source condition');
  if (files.some((file) => file.startsWith('package/src/'))) problems.push('src/ files');
  if (files.some((file) => /\.tsbuildinfo$|\.test\.(js|d\.ts)$/.test(file))) problems.push('build or test leftovers');
  const missing = entryPoints(manifest).filter((target) => !files.includes(`package/${target.replace(/^\.\//, '')}`));
  if (missing.length > 0) problems.push(`entry points that are not in it (${missing.join(', ')})`);
  if (!files.includes('package/README.md')) problems.push('no README.md');
  if (!files.includes('package/dist/index.d.ts')) problems.push('no dist/index.d.ts');
  for (const field of ['license', 'repository', 'engines', 'types', 'exports']) {
    if (manifest[field] === undefined) problems.push(`no "${field}"`);
  }
  if (problems.length > 0) failures.push(`${name} tarball has ${problems.join(', ')}.`);
}

function writeConsumerProject(dir, tarballs, packages) {
  const dependencies = Object.fromEntries(tarballs.map(({ name, tarball }) => [name, `file:${tarball}`]));
  const typescript = JSON.parse(readFileSync(join(root, 'node_modules/typescript/package.json'), 'utf8')).version;
  const manifest = {
    name: 'drctl-consumer',
    private: true,
    type: 'module',
    dependencies,
    // A transitive @drctl/* dependency must be the tarball too, never a registry look-up.
    overrides: dependencies,
    devDependencies: { typescript, '@types/node': '^20' },
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  mkdirSync(join(dir, 'src'));
  cpSync(join(root, 'examples/embedding'), join(dir, 'src'), { recursive: true, filter: (p) => !p.endsWith('.md') });
  // Every package's public entry must resolve and type-check, not only the ones the examples use.
  const imports = packages.map(({ manifest: m }, i) => `import * as package${i} from '${m.name}';`);
  const uses = `export const entries = [${packages.map((_, i) => `package${i}`).join(', ')}].map((entry) => Object.keys(entry).length);`;
  writeFileSync(join(dir, 'src', 'every-package.ts'), `${imports.join('\n')}\n${uses}\n`);
  cpSync(join(root, 'examples/techsol'), join(dir, 'techsol'), {
    recursive: true,
    filter: (path) => !path.includes('/.drctl'),
  });
  const strict = { strict: true, target: 'ES2022', lib: ['ES2023'], types: ['node'], skipLibCheck: false };
  const config = (compilerOptions) =>
    `${JSON.stringify({ compilerOptions: { ...strict, ...compilerOptions }, include: ['src'] }, null, 2)}\n`;
  writeFileSync(
    join(dir, 'tsconfig.node16.json'),
    config({ module: 'node16', moduleResolution: 'node16', outDir: 'dist' }),
  );
  // node16 checks every shipped .d.ts (skipLibCheck off); bundler checks how the same entries
  // resolve and type under a bundler's rules, leaving the libraries' own declarations unchecked
  // a second time.
  writeFileSync(
    join(dir, 'tsconfig.bundler.json'),
    config({ module: 'esnext', moduleResolution: 'bundler', noEmit: true, skipLibCheck: true }),
  );
}

async function check(label, work) {
  try {
    const detail = await work();
    log(`ok   ${label}${typeof detail === 'string' ? `: ${detail}` : ''}`);
  } catch (error) {
    failures.push(`${label}: ${error.message}`);
    log(`FAIL ${label}`);
  }
}

async function runExample(dir, script, conditions, args) {
  const { stdout } = await sh(process.execPath, [...conditions, join('dist', script), ...args], { cwd: dir });
  return stdout.trim().split('\n').pop();
}

const work = mkdtempSync(join(tmpdir(), 'drctl-consumer-'));
try {
  const packages = publishedPackages();
  const tarballDir = join(work, 'tarballs');
  mkdirSync(tarballDir);
  const tarballs = await Promise.all(
    packages.map(async (pkg) => ({ name: pkg.manifest.name, tarball: await pack(pkg, tarballDir) })),
  );
  await Promise.all(tarballs.map(({ name, tarball }) => inspectTarball(name, tarball)));
  log(`packed ${tarballs.length} packages`);

  const project = join(work, 'project');
  mkdirSync(project);
  writeConsumerProject(project, tarballs, packages);
  await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project });
  const installed = readdirSync(join(project, 'node_modules'), { recursive: false }).length;
  log(`npm installed the tarballs (${installed} top-level entries in node_modules)`);

  const tsc = join(project, 'node_modules/typescript/bin/tsc');
  const typecheck = (resolution) =>
    check(`types under moduleResolution ${resolution}`, () =>
      sh(process.execPath, [tsc, '-p', `tsconfig.${resolution}.json`], { cwd: project }),
    );
  // node16 also emits the examples' JavaScript into dist/, which the runs below use.
  await Promise.all([typecheck('node16'), typecheck('bundler')]);

  const environment = join('techsol', 'environment.yaml');
  const runs = [[], ['--conditions=development']].flatMap((conditions) => {
    const under = conditions.length === 0 ? 'default conditions' : conditions.join(' ');
    return [
      check(`runtime example under ${under}`, () =>
        runExample(project, 'runtime.js', conditions, [environment, join(work, `state-${conditions.length}`)]),
      ),
      check(`own-adapters example under ${under}`, () =>
        runExample(project, 'own-adapters.js', conditions, [environment]),
      ),
    ];
  });
  await Promise.all(runs);
} catch (error) {
  failures.push(error.message);
} finally {
  if (process.env.KEEP_CONSUMER) log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`consumer test failed:\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
log('passed');
