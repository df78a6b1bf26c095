#!/usr/bin/env node
// The public API of every published package, recorded with API Extractor in <package>/<name>.api.md
// (committed) and checked against the built declarations (dist/index.d.ts).
//
//   node scripts/api-report.mjs            check: fails when a package's public API differs from
//                                          its committed report (pnpm run api:check)
//   node scripts/api-report.mjs --update   rewrite the reports (pnpm run api:update), then commit them
//
// Both read dist/: the package scripts build first. A report lists every exported type, function,
// class and constant with its full signature, engine events and report types included, so a change
// an embedder would feel shows up in review as a diff of that file.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { Extractor, ExtractorConfig } = require('@microsoft/api-extractor');

const root = fileURLToPath(new URL('..', import.meta.url));
const update = process.argv.includes('--update');
const only = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));

/** Published packages: every packages/* folder whose package.json is not private. */
function publishedPackages() {
  return readdirSync(join(root, 'packages'))
    .sort()
    .map((name) => join(root, 'packages', name))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => manifest.private !== true)
    .filter(({ manifest }) => only.length === 0 || only.some((name) => manifest.name.endsWith(name)));
}

function configFor(dir) {
  return {
    projectFolder: dir,
    mainEntryPointFilePath: '<projectFolder>/dist/index.d.ts',
    // The shipped declarations as a consumer's compiler sees them: sibling packages through their
    // built types, not their sources.
    compiler: {
      overrideTsconfig: {
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2023'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: true,
          types: ['node'],
        },
        include: ['dist/index.d.ts'],
      },
    },
    apiReport: {
      enabled: true,
      reportFolder: '<projectFolder>/',
      reportTempFolder: '<projectFolder>/node_modules/.cache/api-extractor/',
    },
    docModel: { enabled: false },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    messages: {
      compilerMessageReporting: { default: { logLevel: 'warning' } },
      extractorMessageReporting: {
        default: { logLevel: 'warning' },
        // Release tags (@public, @beta) are not used: every export of a public entry is public.
        'ae-missing-release-tag': { logLevel: 'none' },
        // TSDoc coverage is reviewed in the sources, not enforced here.
        'ae-undocumented': { logLevel: 'none', addToApiReportFile: false },
        // A type reachable from the API but not exported is recorded in the report, not fatal.
        'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: true },
      },
      tsdocMessageReporting: { default: { logLevel: 'none' } },
    },
  };
}

const changed = [];
const broken = [];
for (const { dir, manifest } of publishedPackages()) {
  const config = ExtractorConfig.prepare({
    configObject: configFor(dir),
    configObjectFullPath: join(dir, 'api-extractor.json'),
    packageJsonFullPath: join(dir, 'package.json'),
  });
  const report = relative(root, config.reportFilePath);
  const messages = [];
  const result = Extractor.invoke(config, {
    localBuild: update,
    messageCallback: (message) => {
      // API Extractor's own advice on copying reports is replaced by the one-line summary below.
      if (String(message.messageId).startsWith('console-api-report')) {
        message.handled = true;
        return;
      }
      if (message.logLevel === 'warning' || message.logLevel === 'error')
        messages.push(message.formatMessageWithLocation(dir));
      message.handled = true;
    },
  });
  for (const text of messages) console.error(`${manifest.name}: ${text}`);
  if (result.apiReportChanged) {
    changed.push(report);
    if (!update) {
      const diff = spawnSync('diff', ['-u', config.reportFilePath, config.reportTempFilePath], { encoding: 'utf8' });
      console.error(diff.stdout || `${report} does not exist yet.`);
    }
  } else if (!result.succeeded) {
    broken.push(manifest.name);
  }
}

if (update) {
  console.log(changed.length > 0 ? `updated ${changed.join(', ')}` : 'API reports are up to date');
} else if (changed.length > 0) {
  console.error(
    `The public API changed in ${changed.join(', ')}. If that is intended, run \`pnpm run api:update\`, ` +
      'commit the report and add a changeset (`pnpm changeset`) that says what changed for an embedder.',
  );
  process.exit(1);
}
if (broken.length > 0) {
  console.error(`API Extractor could not analyse ${broken.join(', ')} (see the messages above).`);
  process.exit(1);
}
