// Readers for the files under deployment/, shared by the deployment tests. Text and YAML only: no network, no CLI.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import * as path from 'node:path';
import { ConfigSchema } from '../../config';

export const root = path.resolve(__dirname, '..', '..');
export const deploymentDir = path.join(root, 'deployment');
export const kubernetesDir = path.join(deploymentDir, 'kubernetes');
export const azureDir = path.join(deploymentDir, 'azure');

export const readText = (...parts: string[]): string => readFileSync(path.join(...parts), 'utf8');

/** Every setting name config.ts accepts (the keys of the zod object under its cross-field checks). */
export const configKeys: ReadonlySet<string> = new Set(Object.keys(ConfigSchema.innerType().shape));

/**
 * Settings that are credentials or grant access: they belong in a Kubernetes Secret / a Bicep `@secure()` parameter,
 * never in a ConfigMap or a plain parameter. (DESK_AGENTS holds password hashes; REDIS_URL carries the access key.)
 */
export const secretConfigKeys: ReadonlySet<string> = new Set([
  'MicrosoftAppPassword',
  'REDIS_URL',
  'DIRECT_LINE_SECRET',
  'DESK_AGENTS',
  'HANDOFF_STATUS_SECRET',
  'WEBHOOK_SECRETS',
  'TRACKING_API_KEY',
  'METRICS_TOKEN',
  'SIGNALS_LLM_API_KEY',
]);

/** Every YAML document of a text (comments and `---` separators allowed); throws on a syntax error. */
export function parseYamlDocuments(text: string): unknown[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw doc.errors[0];
      return doc.toJS() as unknown;
    })
    .filter((d) => d !== null && d !== undefined);
}

/** Every YAML document of a file. */
export function loadYamlDocuments(file: string): unknown[] {
  return parseYamlDocuments(readFileSync(file, 'utf8'));
}

/** The single YAML document of a file. */
export function loadYaml<T>(file: string): T {
  const docs = loadYamlDocuments(file);
  if (docs.length !== 1) throw new Error(`${path.relative(root, file)}: expected one YAML document, found ${docs.length}`);
  return docs[0] as T;
}

/** Files under a folder, recursively, whose name ends with one of the extensions. */
export function listFiles(dir: string, extensions: readonly string[]): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listFiles(full, extensions));
    else if (extensions.some((e) => name.endsWith(e))) out.push(full);
  }
  return out.sort();
}

// ---------------------------------------------------------------- Kubernetes shapes (only what the tests read)

export interface Probe {
  httpGet?: { path: string; port: number | string };
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
  initialDelaySeconds?: number;
}
export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { drop?: string[] };
}
export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
  env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  securityContext?: SecurityContext;
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] }; sleep?: { seconds: number } } };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}
export interface Deployment {
  kind: 'Deployment';
  metadata: { name: string };
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        terminationGracePeriodSeconds?: number;
        securityContext?: SecurityContext;
        containers: Container[];
        volumes?: Array<{ name: string; emptyDir?: { medium?: string; sizeLimit?: string } }>;
      };
    };
  };
}
export interface Kustomization {
  kind: 'Kustomization';
  namespace?: string;
  resources: string[];
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
  configMapGenerator?: Array<{ name: string; literals?: string[]; envs?: string[]; files?: string[] }>;
  secretGenerator?: unknown[];
}
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  stringData?: Record<string, string>;
  data?: Record<string, string>;
}

export function kustomization(): Kustomization {
  return loadYaml<Kustomization>(path.join(kubernetesDir, 'kustomization.yaml'));
}

/** The objects `kubectl apply -k` would create (from the files kustomization.yaml lists). */
export function kustomizeResources(): K8sObject[] {
  return kustomization().resources.flatMap((r) => loadYamlDocuments(path.join(kubernetesDir, r)) as K8sObject[]);
}

export function deployment(): Deployment {
  const found = kustomizeResources().filter((o) => o.kind === 'Deployment');
  if (found.length !== 1) throw new Error(`expected one Deployment, found ${found.length}`);
  return found[0] as unknown as Deployment;
}

export function botContainer(): Container {
  const containers = deployment().spec.template.spec.containers;
  if (containers.length !== 1) throw new Error(`expected one container, found ${containers.length}`);
  return containers[0];
}

/** The generated ConfigMap's name and its key/value pairs (from `literals`). */
export function generatedConfigMap(): { name: string; values: Record<string, string> } {
  const generators = kustomization().configMapGenerator ?? [];
  if (generators.length !== 1) throw new Error(`expected one configMapGenerator, found ${generators.length}`);
  const [g] = generators;
  if (g.envs || g.files) throw new Error('the tests read configMapGenerator literals only');
  const values: Record<string, string> = {};
  for (const literal of g.literals ?? []) {
    // e.g. an unquoted `- KEY=value:` is a YAML mapping, not a string.
    if (typeof literal !== 'string') throw new Error(`configMapGenerator literal is not a string (quote it): ${JSON.stringify(literal)}`);
    const eq = literal.indexOf('=');
    if (eq <= 0) throw new Error(`configMapGenerator literal without KEY=: ${literal}`);
    const key = literal.slice(0, eq);
    if (key in values) throw new Error(`configMapGenerator literal repeated: ${key}`);
    values[key] = literal.slice(eq + 1);
  }
  return { name: g.name, values };
}

export const secretExampleFile = path.join(kubernetesDir, 'examples', 'secret.example.yaml');
export const ingressExampleFile = path.join(kubernetesDir, 'examples', 'ingress.example.yaml');
export const serviceMonitorExampleFile = path.join(kubernetesDir, 'examples', 'servicemonitor.example.yaml');

/** Kubernetes memory quantity in bytes (Ki/Mi/Gi, k/M/G, or plain bytes). */
export function memoryBytes(q: string | number): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|k|M|G)?$/.exec(String(q));
  if (!m) throw new Error(`unsupported memory quantity: ${q}`);
  const unit = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1e3, M: 1e6, G: 1e9 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * unit;
}

/** Kubernetes CPU quantity in millicores. */
export function milliCpu(q: string | number): number {
  const s = String(q);
  return s.endsWith('m') ? Number(s.slice(0, -1)) : Number(s) * 1000;
}

// ---------------------------------------------------------------- Dockerfile

export interface DockerStage {
  name?: string;
  from: string;
  instructions: Array<{ op: string; args: string }>;
}

/** The Dockerfile's stages with their instructions (continuation lines joined, comments dropped). */
export function dockerStages(): DockerStage[] {
  const joined = readText(deploymentDir, 'Dockerfile')
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const stages: DockerStage[] = [];
  for (const line of joined.split('\n')) {
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const op = m[1].toUpperCase();
    if (op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(m[2].trim());
      stages.push({ from: f?.[1] ?? '', name: f?.[2], instructions: [] });
    } else if (stages.length) {
      stages[stages.length - 1].instructions.push({ op, args: m[2].trim() });
    }
  }
  return stages;
}

export function runtimeStage(): DockerStage {
  const stages = dockerStages();
  return stages[stages.length - 1];
}

export const last = (stage: DockerStage, op: string): string | undefined =>
  [...stage.instructions].reverse().find((i) => i.op === op)?.args;

/**
 * The uid the image runs as. The official node images create "node" as uid 1000 (docker-library/node); a numeric
 * USER is taken as is.
 */
export function imageUid(): number {
  const user = last(runtimeStage(), 'USER');
  if (!user) throw new Error('the runtime stage has no USER (it would run as root)');
  const name = user.split(':')[0];
  if (/^\d+$/.test(name)) return Number(name);
  if (name === 'node') return 1000;
  throw new Error(`unknown uid for USER ${user}`);
}

/** The image's CMD in exec form. */
export function imageCmd(): string[] {
  const cmd = last(runtimeStage(), 'CMD');
  if (!cmd?.startsWith('[')) throw new Error('CMD must be in exec form (["node", ...]) so node gets SIGTERM');
  return JSON.parse(cmd) as string[];
}

// ---------------------------------------------------------------- index.ts

/** How long index.ts lets a SIGTERM shutdown run before it forces the exit, in ms. */
export function appShutdownTimeoutMs(): number {
  const source = readText(root, 'index.ts');
  const shutdown = /const shutdown = [\s\S]*?\n {2}\};/.exec(source)?.[0];
  if (!shutdown) throw new Error('index.ts: shutdown handler not found');
  const m = /setTimeout\(\s*\(\)\s*=>\s*\{[\s\S]*?process\.exit\(1\);?\s*\},\s*([\d_]+)\s*\)/.exec(shutdown);
  if (!m) throw new Error('index.ts: forced-exit timer of the shutdown handler not found');
  return Number(m[1].replace(/_/g, ''));
}
