import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '../errors.js';
import { type InstallFillsOptions, installKernelFills, type KernelFill } from '../kernels/registry.js';
import { gradientsRegistered, installAdaptNetGradients } from './gradients.js';
import { registerNodeGradients } from './node-gradients.js';

/** Backends in the order AdaptNet prefers them (fastest first). */
export const BACKEND_PREFERENCE = ['tensorflow-gpu', 'tensorflow', 'native', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_PREFERENCE)[number];

export interface BackendInfo {
  /** AdaptNet's name for the choice (tfjs registers both tfjs-node builds as 'tensorflow'). */
  readonly name: BackendChoice;
  /** The tfjs backend name now active. */
  readonly tfjsName: string;
  readonly simd: boolean;
  readonly threads: number;
  /** Kernels AdaptNet registered on this backend, with why. */
  readonly fills: readonly Pick<KernelFill, 'kernelName' | 'reason'>[];
  /** Whether autodiff works: tfjs's gradients are registered (needs @tensorflow/tfjs in Node). */
  readonly gradients: boolean;
  /** Why each faster backend was skipped. */
  readonly skipped: readonly { readonly name: BackendChoice; readonly reason: string }[];
}

export interface InitBackendOptions {
  /** Force one backend; also read from the ADAPTNET_BACKEND environment variable. */
  readonly backend?: BackendChoice;
  /** Where to print the one-line summary; `false` for silence. Default: stderr. */
  readonly log?: false | ((line: string) => void);
}

type ProbeResult = { tfjsName: string; simd: boolean; threads: number; fillOptions?: InstallFillsOptions };
type Probe = () => Promise<ProbeResult>;

async function importOptional(specifier: string): Promise<Record<string, unknown>> {
  try {
    // A variable specifier keeps bundlers and tsc from requiring the optional package.
    return (await import(/* @vite-ignore */ specifier)) as Record<string, unknown>;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new Error(`not installed (npm install ${specifier})`);
    throw e;
  }
}

interface NativeModule {
  nativeBackendInfo: { threads: number; nativeKernels: readonly string[] };
}

async function activate(tfjsName: string): Promise<void> {
  if (!tf.findBackendFactory(tfjsName)) {
    throw new Error(`it did not register a '${tfjsName}' backend with this copy of @tensorflow/tfjs-core (version mismatch?)`);
  }
  const ok = await tf.setBackend(tfjsName);
  if (!ok) throw new Error(`tf.setBackend('${tfjsName}') failed`);
  await tf.ready();
}

const PROBES: Record<BackendChoice, Probe> = {
  'tensorflow-gpu': async () => {
    await importOptional('@tensorflow/tfjs-node-gpu');
    await activate('tensorflow');
    return { tfjsName: 'tensorflow', simd: true, threads: 0 };
  },
  tensorflow: async () => {
    await importOptional('@tensorflow/tfjs-node');
    await activate('tensorflow');
    return { tfjsName: 'tensorflow', simd: true, threads: 0 };
  },
  native: async () => {
    const mod = (await importOptional('@adaptnet/backend-native')) as unknown as NativeModule;
    await activate('native');
    const { threads, nativeKernels } = mod.nativeBackendInfo;
    // Built on the cpu backend: the cpu fills apply wherever oneDNN does not take over.
    return { tfjsName: 'native', simd: true, threads, fillOptions: { inheritFrom: 'cpu', except: nativeKernels } };
  },
  wasm: async () => {
    await importOptional('@tensorflow/tfjs-backend-wasm');
    await activate('wasm');
    return {
      tfjsName: 'wasm',
      simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
      // tfjs never enables wasm threads under Node.
      threads: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 2 : 1,
    };
  },
  cpu: async () => {
    await importOptional('@tensorflow/tfjs-backend-cpu');
    await activate('cpu');
    // The cpu backend prints a banner on its first write in Node telling users to install tfjs-node.
    // Here cpu was forced or is the last fallback, and the log line already says which backend runs
    // and why faster ones were skipped, so the banner only adds noise (`firstUse` is a private field).
    const backend = tf.backend() as unknown as { firstUse?: boolean };
    if (backend.firstUse === true) backend.firstUse = false;
    return { tfjsName: 'cpu', simd: false, threads: 1 };
  },
};

function isBackendChoice(v: string): v is BackendChoice {
  return (BACKEND_PREFERENCE as readonly string[]).includes(v);
}

function errorMessage(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0] ?? msg;
}

/**
 * Picks the fastest tfjs backend available (tfjs-node-gpu → tfjs-node → @adaptnet/backend-native
 * → wasm → cpu), installs AdaptNet's kernel fills on it so every training gradient exists and is
 * correct, and reports what it chose.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const gradients = gradientsRegistered() || registerNodeGradients();
  if (gradients) installAdaptNetGradients();
  const fromEnv = process.env.ADAPTNET_BACKEND?.trim();
  const forced = options.backend ?? (fromEnv ? fromEnv : undefined);
  if (forced !== undefined && !isBackendChoice(forced)) {
    throw new BackendError(
      `unknown backend '${forced}'${options.backend ? '' : ' (from ADAPTNET_BACKEND)'}; allowed: ${BACKEND_PREFERENCE.join(', ')}`,
    );
  }
  const candidates: readonly BackendChoice[] = forced ? [forced] : BACKEND_PREFERENCE;
  const skipped: { name: BackendChoice; reason: string }[] = [];
  for (const name of candidates) {
    let probe: Awaited<ReturnType<Probe>>;
    try {
      probe = await PROBES[name]();
    } catch (e) {
      skipped.push({ name, reason: errorMessage(e) });
      continue;
    }
    const fills = installKernelFills(probe.tfjsName, probe.fillOptions).map(({ kernelName, reason }) => ({ kernelName, reason }));
    const info: BackendInfo = { name, tfjsName: probe.tfjsName, simd: probe.simd, threads: probe.threads, fills, gradients, skipped };
    const log = options.log === undefined ? (line: string) => process.stderr.write(`${line}\n`) : options.log;
    if (log) {
      const threads = probe.threads === 0 ? 'native threads' : `${probe.threads} thread${probe.threads > 1 ? 's' : ''}`;
      log(
        `[adaptnet] backend ${name} (simd: ${probe.simd ? 'yes' : 'no'}, ${threads}, kernel fills: ${fills.length}${gradients ? '' : ', inference only: no gradients without @tensorflow/tfjs'})`,
      );
    }
    return info;
  }
  const why = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  throw new BackendError(forced ? `backend '${forced}' is not available: ${why}` : `no tfjs backend could be initialised: ${why}`);
}
