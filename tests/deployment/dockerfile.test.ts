import { expect } from 'chai';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { dockerStages, imageCmd, imageUid, last, readText, root, runtimeStage } from './deploymentFiles';

// The Dockerfile cannot be built here (no Docker engine): these checks read it as text.
describe('deployment/Dockerfile', () => {
  it('is multi-stage, and the runtime stage runs as a non-root numeric user', () => {
    expect(dockerStages().length).to.be.at.least(2);
    expect(imageUid()).to.be.above(0);
    expect(last(runtimeStage(), 'USER'), 'numeric, so Kubernetes runAsNonRoot can verify it').to.match(/^\d+(:\d+)?$/);
  });

  it('copies into the runtime stage every path the package ships (compiled code and the pages read at run time)', () => {
    const pkg = JSON.parse(readText(root, 'package.json')) as { files: string[] };
    const copied = runtimeStage()
      .instructions.filter((i) => i.op === 'COPY')
      .map((i) => i.args.split(/\s+/).filter((a) => !a.startsWith('--')))
      .map((parts) => path.posix.normalize(parts[parts.length - 1]).replace(/^\.\//, ''));
    // `dist` is the build's output (absent from a fresh clone until `npm run build`): check it is where the build writes.
    const outDirOf = (file: string) => (JSON.parse(readText(root, file)) as { compilerOptions?: { outDir?: string } }).compilerOptions?.outDir;
    const outDir = outDirOf('tsconfig.build.json') ?? outDirOf('tsconfig.json'); // the build config extends tsconfig.json
    for (const entry of pkg.files) {
      if (entry === 'dist') expect(path.posix.normalize(outDir ?? '').replace(/^\.\//, ''), 'tsconfig.build.json outDir').to.equal('dist');
      else expect(existsSync(path.join(root, entry)), `${entry} exists`).to.equal(true);
      expect(copied, `runtime stage copies ${entry}`).to.include(entry);
    }
  });

  it('exposes the port it sets, and runs the compiled entry in exec form (node receives SIGTERM)', () => {
    const env = runtimeStage()
      .instructions.filter((i) => i.op === 'ENV')
      .map((i) => i.args)
      .join(' ');
    const port = /(?:^|\s)PORT=(\d+)/.exec(env)?.[1];
    expect(port, 'ENV PORT').to.be.a('string');
    expect(last(runtimeStage(), 'EXPOSE')).to.equal(port);
    expect(env, 'reachable from outside the container').to.match(/(?:^|\s)HOST=0\.0\.0\.0(?:\s|$)/);
    const cmd = imageCmd();
    expect(cmd[0]).to.equal('node');
    expect(cmd[cmd.length - 1]).to.equal('dist/index.js');
    expect(existsSync(path.join(root, 'index.ts')), 'dist/index.js is compiled from index.ts').to.equal(true);
  });

  it('keeps local settings files (.env, .env.local, .env.production, ...) out of the build context', () => {
    const rules = readText(root, '.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    // Docker's rules: the last matching pattern wins, `!` re-includes; `*` does not cross `/`.
    const ignored = (file: string) => {
      let out = false;
      for (const rule of rules) {
        const negate = rule.startsWith('!');
        const pattern = new RegExp(`^${(negate ? rule.slice(1) : rule).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
        if (pattern.test(file)) out = !negate;
      }
      return out;
    };
    for (const f of ['.env', '.env.local', '.env.production', '.env.development.local']) expect(ignored(f), f).to.equal(true);
    expect(ignored('.env.example')).to.equal(false);
    expect(ignored('package.json')).to.equal(false);
  });

  it('checks its health on /healthz', () => {
    expect(last(runtimeStage(), 'HEALTHCHECK')).to.contain('/healthz');
  });
});
