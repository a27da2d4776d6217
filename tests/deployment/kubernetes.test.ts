import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../../config';
import { createApp } from '../../bots/app/createApp';
import { routeMatches, servedRoutes } from './appRoutes';
import {
  appShutdownTimeoutMs,
  botContainer,
  configKeys,
  deployment,
  generatedConfigMap,
  imageCmd,
  imageUid,
  ingressExampleFile,
  serviceMonitorExampleFile,
  kubernetesDir,
  kustomization,
  kustomizeResources,
  last,
  listFiles,
  loadYaml,
  loadYamlDocuments,
  memoryBytes,
  milliCpu,
  parseYamlDocuments,
  readText,
  root,
  runtimeStage,
  secretConfigKeys,
  secretExampleFile,
  type K8sObject,
  type Probe,
} from './deploymentFiles';

interface SecretManifest extends K8sObject {
  stringData: Record<string, string>;
}
interface IngressPath {
  path: string;
  pathType: string;
  backend: { service: { name: string; port: { name?: string; number?: number } } };
}
interface IngressManifest extends K8sObject {
  spec: {
    ingressClassName?: string;
    tls?: Array<{ hosts: string[]; secretName: string }>;
    rules: Array<{ host: string; http: { paths: IngressPath[] } }>;
  };
}
interface ServiceSpec {
  selector: Record<string, string>;
  ports: Array<{ name?: string; port: number; targetPort: number | string }>;
}
interface NetworkPolicyPort {
  protocol?: string;
  port: number | string;
}
interface NetworkPolicySpec {
  podSelector: { matchLabels: Record<string, string> };
  policyTypes: string[];
  ingress: Array<{ ports?: NetworkPolicyPort[] }>;
  egress: Array<{ ports?: NetworkPolicyPort[] }>;
}

const secretExample = () => loadYaml<SecretManifest>(secretExampleFile);
const byKind = (kind: string): K8sObject => {
  const found = kustomizeResources().filter((o) => o.kind === kind);
  expect(found, `one ${kind} in the kustomization`).to.have.length(1);
  return found[0];
};
const podLabels = () => deployment().spec.template.metadata.labels;
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
/** The container port a probe or Service targets, resolving a named port. */
const containerPort = (port: number | string): number => {
  if (typeof port === 'number') return port;
  const named = botContainer().ports?.find((p) => p.name === port);
  if (!named) throw new Error(`no container port named ${port}`);
  return named.containerPort;
};

/** Well-formed stand-ins for the Secret's keys (the tests never see real secrets). */
const fakeSecrets = {
  MicrosoftAppPassword: 'test-client-secret',
  REDIS_URL: 'rediss://:test-key@redis.test:6380',
};

describe('deployment/kubernetes', () => {
  describe('files', () => {
    it('every YAML file parses and every document names its apiVersion and kind', () => {
      const files = listFiles(kubernetesDir, ['.yaml', '.yml']);
      expect(files.map((f) => path.relative(kubernetesDir, f))).to.include.members([
        'kustomization.yaml',
        'deployment.yaml',
        path.join('examples', 'secret.example.yaml'),
        path.join('examples', 'ingress.example.yaml'),
      ]);
      for (const file of files) {
        const docs = loadYamlDocuments(file) as K8sObject[];
        expect(docs.length, path.relative(root, file)).to.be.above(0);
        for (const doc of docs) {
          expect(doc.apiVersion, `${path.relative(root, file)}: apiVersion`).to.be.a('string');
          expect(doc.kind, `${path.relative(root, file)}: kind`).to.be.a('string');
          if (doc.kind !== 'Kustomization') expect(doc.metadata?.name, `${path.relative(root, file)}: metadata.name`).to.be.a('string');
        }
      }
    });

    it('the kustomization is namespace-agnostic, lists files that exist and applies no example', () => {
      const k = kustomization();
      expect(k.namespace, 'namespace left to the operator (-n or an overlay)').to.equal(undefined);
      for (const r of k.resources) {
        expect(existsSync(path.join(kubernetesDir, r)), r).to.equal(true);
        expect(r, 'examples are never applied').to.not.match(/example/i);
      }
      expect(k.secretGenerator, 'no secret values in the repository').to.equal(undefined);
      for (const o of kustomizeResources()) {
        expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).to.equal(undefined);
        expect(o.kind, 'Secrets come from the operator').to.not.equal('Secret');
      }
      expect(kustomizeResources().map((o) => o.kind)).to.have.members(['Deployment', 'Service', 'PodDisruptionBudget', 'NetworkPolicy']);
      // The examples are in their own folder, which the kustomization does not reference.
      expect(readdirSync(path.join(kubernetesDir, 'examples')).every((f) => f.includes('.example.'))).to.equal(true);
    });

    it('the Deployment runs the image the kustomization names', () => {
      const images = kustomization().images ?? [];
      expect(images.map((i) => i.name)).to.include(botContainer().image);
    });

    it('kubectl kustomize builds the set: hashed ConfigMap referenced by the pods, image set (skipped without kubectl)', function () {
      // kubectl's built-in kustomize works offline; kubectl is not installed by .ci/run, so this runs where it exists.
      if (spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore', timeout: 10000 }).status !== 0) this.skip();
      const built = parseYamlDocuments(execFileSync('kubectl', ['kustomize', kubernetesDir], { encoding: 'utf8', timeout: 30000 })) as K8sObject[];
      expect(built.map((o) => o.kind)).to.have.members(['ConfigMap', 'Deployment', 'Service', 'PodDisruptionBudget', 'NetworkPolicy']);
      const configMap = built.find((o) => o.kind === 'ConfigMap');
      expect(configMap?.metadata.name).to.match(new RegExp(`^${generatedConfigMap().name}-[a-z0-9]+$`));
      expect(configMap?.data).to.deep.equal(generatedConfigMap().values);
      const pod = (built.find((o) => o.kind === 'Deployment') as unknown as { spec: { template: { spec: { containers: Array<{ image: string; envFrom: Array<{ configMapRef?: { name: string } }> }> } } } }).spec.template.spec;
      const [image] = kustomization().images ?? [];
      expect(pod.containers[0].image).to.equal(`${image.newName}:${image.newTag}`);
      expect(pod.containers[0].envFrom.map((r) => r.configMapRef?.name).filter(Boolean)).to.deep.equal([configMap?.metadata.name]);
    });
  });

  describe('settings', () => {
    it('every ConfigMap key, Secret key and container env name is a setting of config.ts', () => {
      const { values } = generatedConfigMap();
      const names = [
        ...Object.keys(values),
        ...Object.keys(secretExample().stringData),
        ...(botContainer().env ?? []).map((e) => e.name),
      ];
      expect(names.length).to.be.above(0);
      expect(names.filter((n) => !configKeys.has(n)), 'names config.ts does not know').to.deep.equal([]);
    });

    it('secrets are only in the Secret, settings only in the ConfigMap', () => {
      const configMap = Object.keys(generatedConfigMap().values);
      const secret = Object.keys(secretExample().stringData);
      expect(configMap.filter((k) => secretConfigKeys.has(k)), 'secrets in the ConfigMap').to.deep.equal([]);
      expect(secret.filter((k) => !secretConfigKeys.has(k)), 'plain settings in the Secret').to.deep.equal([]);
      expect(secret).to.include.members(['MicrosoftAppPassword', 'REDIS_URL']);
      expect((botContainer().env ?? []).filter((e) => secretConfigKeys.has(e.name) && e.value !== undefined), 'inline secret values').to.deep.equal([]);
    });

    it('the container reads the generated ConfigMap and the example Secret by name', () => {
      const refs = botContainer().envFrom ?? [];
      expect(refs.map((r) => r.configMapRef?.name).filter(Boolean)).to.deep.equal([generatedConfigMap().name]);
      expect(refs.map((r) => r.secretRef?.name).filter(Boolean)).to.deep.equal([secretExample().metadata.name]);
    });

    it('the ConfigMap with the Secret filled in is a valid configuration for a container behind a Service', () => {
      const { values } = generatedConfigMap();
      const config = loadConfig({ ...values, ...fakeSecrets });
      expect(config.HOST, 'reachable by the Service and the probes').to.equal('0.0.0.0');
      expect(config.MicrosoftAppId ?? '', 'Bot Framework JWT checks on').to.have.length.above(0);
      expect(config.WEBCHAT, 'the local Direct Line is for development only').to.not.equal('local');
      expect(config.PUBLIC_URL ?? '', 'Secure console cookie').to.match(/^https:\/\//);
    });

    it('more than one replica implies shared Redis storage', () => {
      const replicas = deployment().spec.replicas ?? 1;
      expect(replicas, 'replicas').to.be.at.least(2);
      if (replicas > 1) expect(generatedConfigMap().values.STORAGE).to.equal('redis');
    });

    it('the example Secret is marked as an example and holds placeholders only', () => {
      const text = readText(secretExampleFile);
      expect(text).to.match(/EXAMPLE ONLY/);
      const s = secretExample();
      expect(s.kind).to.equal('Secret');
      expect(s.data, 'no base64 data block').to.equal(undefined);
      for (const [key, value] of Object.entries(s.stringData)) {
        expect(value, `${key} has a <placeholder>`).to.match(/<[^<>]+>/);
        const rest = value.replace(/<[^<>]*>/g, '');
        expect(rest, `${key}: only the placeholders may look like a value`).to.not.match(/[A-Za-z0-9+/=_-]{12,}/);
      }
    });
  });

  describe('pod', () => {
    it('runs as the Dockerfile user, non-root, without privilege escalation or capabilities', () => {
      const pod = deployment().spec.template.spec.securityContext ?? {};
      const c = botContainer().securityContext ?? {};
      expect(pod.runAsUser ?? c.runAsUser, 'runAsUser').to.equal(imageUid());
      expect(pod.runAsNonRoot || c.runAsNonRoot, 'runAsNonRoot').to.equal(true);
      expect(imageUid(), 'image uid').to.be.above(0);
      expect(c.allowPrivilegeEscalation).to.equal(false);
      expect(c.capabilities?.drop).to.include('ALL');
    });

    it('has a read-only root filesystem with a bounded writable /tmp, and the app code writes no file', () => {
      expect(botContainer().securityContext?.readOnlyRootFilesystem).to.equal(true);
      // restify's multipart parser (formidable) writes uploads to os.tmpdir(); on a read-only /tmp the write fails
      // with an unhandled EROFS that stops the process. /tmp must be a writable, size-limited emptyDir.
      const tmp = (botContainer().volumeMounts ?? []).find((m) => m.mountPath === '/tmp');
      expect(tmp, '/tmp mount').to.not.equal(undefined);
      const volume = (deployment().spec.template.spec.volumes ?? []).find((v) => v.name === tmp?.name);
      expect(volume?.emptyDir, '/tmp is an emptyDir').to.be.an('object');
      expect(memoryBytes(volume?.emptyDir?.sizeLimit ?? 0), '/tmp size limit').to.be.within(1, 1024 ** 3);
      // What the bot runs (not scripts/, which are run by hand): no file-writing API. If one appears, give it a
      // writable volume (emptyDir) or set readOnlyRootFilesystem to false, and update this test.
      const sources = ['index.ts', 'config.ts', 'warmline.ts', ...['bots', 'dialogs', 'middleware'].flatMap((d) => listFiles(path.join(root, d), ['.ts']).map((f) => path.relative(root, f)))];
      const writers = sources.filter((f) =>
        /\b(writeFile|writeFileSync|appendFile|appendFileSync|createWriteStream|mkdir|mkdirSync|mkdtemp|mkdtempSync|copyFile|rename|renameSync|unlink|unlinkSync|rmSync|symlink)\s*\(/.test(readText(root, f)),
      );
      expect(writers, 'files that write to disk').to.deep.equal([]);
    });

    it('runs the command of the image (with a heap cap below the memory limit)', () => {
      const c = botContainer();
      expect(c.command, 'the image entrypoint is kept').to.equal(undefined);
      const cmd = imageCmd();
      const args = c.args ?? cmd;
      expect(args[0]).to.equal(cmd[0]);
      expect(args[args.length - 1], 'same script as the Dockerfile CMD').to.equal(cmd[cmd.length - 1]);
      // Every option of the image's command is kept (e.g. --disable-warning=DEP0111); the container may add some.
      const options = (list: readonly string[]) => list.slice(1, -1);
      expect(options(args), "the image's node options").to.include.members(options(cmd));
      const heap = args.map((a) => /^--max-old-space-size=(\d+)$/.exec(a)?.[1]).find(Boolean);
      if (heap) {
        const limit = memoryBytes(c.resources?.limits?.memory ?? '0');
        // The heap cap plus ~100 MB of code, recognizer models outside the old space and buffers must fit.
        expect(Number(heap) * 1024 ** 2 + 100 * 1024 ** 2, 'heap cap + overhead <= memory limit').to.be.at.most(limit);
      }
    });

    it('asks for resources sized from the measured memory (~190 MB RSS warmed)', () => {
      const { requests = {}, limits = {} } = botContainer().resources ?? {};
      const warmedRss = 200 * 1024 ** 2;
      expect(memoryBytes(requests.memory ?? 0), 'memory request covers the warmed RSS').to.be.at.least(warmedRss);
      expect(memoryBytes(limits.memory ?? 0), 'memory limit leaves room for load (407 to 461 MB RSS seen under load, heap uncollected)').to.be.at.least(2 * warmedRss);
      expect(milliCpu(requests.cpu ?? 0), 'cpu request').to.be.at.least(100);
      expect(milliCpu(limits.cpu ?? requests.cpu ?? 0), 'cpu limit >= request').to.be.at.least(milliCpu(requests.cpu ?? 0));
    });

    it('listens on the port of the ConfigMap and of the image', () => {
      const port = Number(generatedConfigMap().values.PORT);
      expect(containerPort('http')).to.equal(port);
      expect(Number(last(runtimeStage(), 'EXPOSE'))).to.equal(port);
    });

    it('probes the health routes on the app port: liveness /healthz, readiness and start-up /readyz', () => {
      const c = botContainer();
      const port = Number(generatedConfigMap().values.PORT);
      const probes: Record<string, Probe | undefined> = { liveness: c.livenessProbe, readiness: c.readinessProbe, startup: c.startupProbe };
      const expected: Record<string, string> = { liveness: '/healthz', readiness: '/readyz', startup: '/readyz' };
      for (const [name, probe] of Object.entries(probes)) {
        expect(probe?.httpGet, `${name} probe`).to.be.an('object');
        expect(probe?.httpGet?.path, `${name} path`).to.equal(expected[name]);
        expect(containerPort(probe?.httpGet?.port ?? -1), `${name} port`).to.equal(port);
      }
    });

    it('gives the start-up probe at least a minute for the recognizer warm-up (~2 s on a free core)', () => {
      const p = botContainer().startupProbe ?? {};
      const budget = (p.initialDelaySeconds ?? 0) + (p.periodSeconds ?? 10) * (p.failureThreshold ?? 3);
      expect(budget).to.be.at.least(60);
    });

    it('the probed routes are the ones the server serves, and answer 200 with this configuration', async function () {
      this.timeout(30000);
      const routes = await servedRoutes();
      for (const p of ['/healthz', '/readyz']) {
        expect(routes.some((r) => r.method === 'GET' && routeMatches(r, p)), `GET ${p} is registered`).to.equal(true);
      }
      // The ConfigMap's settings boot a real server (memory storage here: no Redis in this test).
      const config = loadConfig({ ...generatedConfigMap().values, ...fakeSecrets, STORAGE: 'memory', PORT: '0', HOST: '127.0.0.1' });
      const app = createApp({ config, warmRecognizers: false });
      const { url } = await app.start();
      try {
        for (const p of [botContainer().livenessProbe, botContainer().readinessProbe, botContainer().startupProbe]) {
          const res = await fetch(`${url}${p?.httpGet?.path ?? ''}`);
          expect(res.status, p?.httpGet?.path).to.equal(200);
        }
      } finally {
        await app.stop();
      }
    });

    it('terminates gracefully: preStop drain, then the app stops within the grace period', () => {
      const spec = deployment().spec.template.spec;
      const preStop = botContainer().lifecycle?.preStop;
      const command = preStop?.exec?.command ?? [];
      const sleep = preStop?.sleep?.seconds ?? (command[0] === 'sleep' ? Number(command[1]) : NaN);
      expect(sleep, 'preStop sleep seconds').to.be.at.least(5);
      const appTimeoutS = appShutdownTimeoutMs() / 1000;
      expect(appTimeoutS, 'index.ts forced-exit timeout (documented as 10 s)').to.equal(10);
      expect(spec.terminationGracePeriodSeconds ?? 30, 'terminationGracePeriodSeconds').to.be.above(sleep + appTimeoutS);
      // The image's STOPSIGNAL is what index.ts handles.
      expect(last(runtimeStage(), 'STOPSIGNAL') ?? 'SIGTERM').to.equal('SIGTERM');
      expect(readText(root, 'index.ts')).to.match(/process\.on\('SIGTERM'/);
    });
  });

  describe('around the pods', () => {
    it('the Service selects the pods and targets the app port', () => {
      const svc = byKind('Service').spec as unknown as ServiceSpec;
      expect(selects(svc.selector, podLabels()), 'Service selector').to.equal(true);
      expect(svc.ports.map((p) => containerPort(p.targetPort))).to.deep.equal([Number(generatedConfigMap().values.PORT)]);
    });

    it('the PodDisruptionBudget selects the pods and never blocks a drain', () => {
      const spec = byKind('PodDisruptionBudget').spec as { minAvailable?: number; maxUnavailable?: number; selector: { matchLabels: Record<string, string> } };
      expect(selects(spec.selector.matchLabels, podLabels()), 'PDB selector').to.equal(true);
      const replicas = deployment().spec.replicas ?? 1;
      if (spec.minAvailable !== undefined) expect(spec.minAvailable).to.be.within(1, replicas - 1);
      else expect(spec.maxUnavailable).to.be.at.least(1);
    });

    it('the Deployment selector matches its pod template', () => {
      const d = deployment();
      expect(selects(d.spec.selector.matchLabels, podLabels())).to.equal(true);
    });

    it('the NetworkPolicy lets in the app port and lets out DNS, HTTPS and Redis only', () => {
      const spec = byKind('NetworkPolicy').spec as unknown as NetworkPolicySpec;
      expect(selects(spec.podSelector.matchLabels, podLabels()), 'policy selects the pods').to.equal(true);
      expect(spec.policyTypes).to.have.members(['Ingress', 'Egress']);
      const inPorts = spec.ingress.flatMap((r) => r.ports ?? []).map((p) => containerPort(p.port));
      expect(inPorts).to.deep.equal([Number(generatedConfigMap().values.PORT)]);
      for (const rule of spec.egress) expect(rule.ports?.length ?? 0, 'every egress rule names its ports').to.be.above(0);
      const outPorts = spec.egress.flatMap((r) => r.ports ?? []).map((p) => `${p.protocol ?? 'TCP'}/${p.port}`);
      expect(outPorts).to.have.members(['UDP/53', 'TCP/53', 'TCP/443', 'TCP/6379', 'TCP/6380']);
    });

    it('the example ServiceMonitor scrapes /metrics on the Service with the METRICS_TOKEN of the Secret', async function () {
      this.timeout(30000);
      interface ServiceMonitor {
        kind: string;
        spec: {
          selector: { matchLabels: Record<string, string> };
          endpoints: Array<{ port: string; path: string; authorization?: { type: string; credentials: { name: string; key: string } } }>;
        };
      }
      const sm = loadYaml<ServiceMonitor>(serviceMonitorExampleFile);
      expect(readText(serviceMonitorExampleFile)).to.match(/EXAMPLE ONLY/);
      expect(sm.kind).to.equal('ServiceMonitor');
      expect(kustomization().resources ?? [], 'not applied by default (needs the Prometheus Operator)').to.not.include('examples/servicemonitor.example.yaml');
      const svc = byKind('Service');
      expect(selects(sm.spec.selector.matchLabels, svc.metadata.labels ?? {}), 'selects the Service').to.equal(true);
      const svcPorts = (svc.spec as unknown as ServiceSpec).ports;
      const routes = await servedRoutes();
      for (const ep of sm.spec.endpoints) {
        expect(svcPorts.map((p) => p.name), 'a named port of the Service').to.include(ep.port);
        expect(routes.some((r) => routeMatches(r, ep.path)), `${ep.path} is a route of the server`).to.equal(true);
        expect(ep.authorization?.type).to.equal('Bearer');
        expect(ep.authorization?.credentials.name).to.equal(secretExample().metadata.name);
        expect(ep.authorization?.credentials.key).to.equal('METRICS_TOKEN');
        expect(Object.keys(secretExample().stringData)).to.include('METRICS_TOKEN');
        expect(configKeys.has('METRICS_TOKEN')).to.equal(true);
      }
    });

    it('the example Ingress terminates TLS and routes /api/messages and /desk to the Service', async function () {
      this.timeout(30000);
      const ing = loadYaml<IngressManifest>(ingressExampleFile);
      expect(readText(ingressExampleFile)).to.match(/EXAMPLE ONLY/);
      expect(ing.kind).to.equal('Ingress');
      const hosts = ing.spec.rules.map((r) => r.host);
      expect(ing.spec.tls?.flatMap((t) => t.hosts), 'every host has TLS').to.include.members(hosts);
      const svc = byKind('Service');
      const svcPorts = (svc.spec as unknown as ServiceSpec).ports;
      const paths = ing.spec.rules.flatMap((r) => r.http.paths);
      expect(paths.map((p) => p.path)).to.include.members(['/api/messages', '/desk']);
      const routes = await servedRoutes();
      for (const p of paths) {
        expect(p.backend.service.name, `${p.path} backend`).to.equal(svc.metadata.name);
        const port = p.backend.service.port;
        expect(svcPorts.some((sp) => (port.name ? sp.name === port.name : sp.port === port.number)), `${p.path} backend port`).to.equal(true);
        const served =
          p.pathType === 'Exact'
            ? routes.some((r) => routeMatches(r, p.path))
            : routes.some((r) => r.path === p.path || r.path.startsWith(`${p.path}/`));
        expect(served, `${p.path} is a route of the server`).to.equal(true);
      }
    });
  });
});
