import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { packWarmline, root, type PackedWarmline } from './packWarmline';

interface Manifest {
  private?: boolean;
  main: string;
  types: string;
  exports: Record<string, string | Record<string, string>>;
  files: string[];
}

const STATIC_FOLDERS = ['bots/console/static', 'bots/webchat/static'];
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;

describe('the npm package (npm pack)', function () {
  // A build from scratch takes about 10 s of CPU; a loaded machine can triple it.
  this.timeout(240_000);
  let pack: PackedWarmline;
  before(async () => {
    pack = await packWarmline();
  });

  it('can be published: not private, with entry points that are in the tarball', () => {
    expect(manifest.private, 'package.json "private"').to.equal(undefined);
    const entries = [manifest.main, manifest.types, ...Object.values(manifest.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)))];
    for (const entry of entries) expect(pack.files, entry).to.include(path.posix.normalize(entry));
  });

  it('ships the compiled package with its type declarations, the runnable server, the pages, the README and the licence', () => {
    expect(pack.files).to.include.members(['package.json', 'README.md', 'dist/warmline.js', 'dist/warmline.d.ts', 'dist/index.js']);
    for (const licence of ['LICENSE', 'LICENSE.md', 'LICENSE.txt']) if (existsSync(path.join(root, licence))) expect(pack.files).to.include(licence);
    for (const folder of STATIC_FOLDERS) {
      const pages = readdirSync(path.join(root, folder)).map((f) => `${folder}/${f}`);
      expect(pages.length, folder).to.be.above(0);
      expect(pack.files).to.include.members(pages);
    }
    const modules = pack.files.filter((f) => f.endsWith('.js') && f.startsWith('dist/'));
    expect(modules.filter((f) => !pack.files.includes(f.replace(/\.js$/, '.d.ts'))), 'modules without declarations').to.deep.equal([]);
  });

  it('ships nothing else: no sources, tests, benches, scripts, examples, source maps, settings or dependencies', () => {
    const allowed = (f: string) =>
      ['package.json', 'README.md'].includes(f) ||
      /^LICEN[CS]E(\.(md|txt))?$/.test(f) ||
      /^dist\/.+(?<!\.d)\.js$/.test(f) ||
      /^dist\/.+\.d\.ts$/.test(f) ||
      // The learned signal model's weights (read only when the model is turned on).
      f === 'dist/middleware/signals/model/signalModel.json' ||
      STATIC_FOLDERS.some((folder) => f.startsWith(`${folder}/`));
    expect(pack.files.filter((f) => !allowed(f))).to.deep.equal([]);
    const forbidden = /(^|\/)(tests?|bench|scripts|examples|node_modules|dist-bench)\/|\.map$|(^|\/)\.env/;
    expect(pack.files.filter((f) => forbidden.test(f))).to.deep.equal([]);
  });

  it('ships no stale module: every compiled file comes from a source of this checkout', () => {
    const stale = pack.files
      .filter((f) => f.startsWith('dist/'))
      .map((f) => f.slice('dist/'.length).replace(/(\.d\.ts|\.js)$/, '.ts'))
      .filter((source) => !existsSync(path.join(root, source)));
    expect(stale).to.deep.equal([]);
  });
});
