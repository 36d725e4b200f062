import type { Activation } from '@adaptnet/backbones';
import type * as tf from '@tensorflow/tfjs-core';

/** `pad` of a prepared convolution: TF 'same' (only where it equals PyTorch's), 'valid', or explicit symmetric padding. */
export type PreparedPad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

/** Convolution with BatchNorm folded in (kernel and bias for one configuration) and its activation. */
export interface ConvStep {
  readonly kind: 'conv';
  readonly depthwise: boolean;
  /** Conv2D [kh, kw, in, out]; depthwise [kh, kw, channels, 1]. */
  readonly filter: tf.Tensor4D;
  readonly bias: tf.Tensor1D;
  readonly kernelSize: number;
  readonly strides: number;
  /** Symmetric zero padding on every side (⌊k/2⌋ in every backbone). */
  readonly padding: number;
  readonly activation: Activation;
  readonly outChannels: number;
}

/** `body(x) + shortcut(x)` (identity when `shortcut` is null), then ReLU when `relu`. */
export interface ResidualStep {
  readonly kind: 'residual';
  readonly body: readonly PreparedStep[];
  readonly shortcut: readonly PreparedStep[] | null;
  readonly relu: boolean;
}

/** ShuffleNetV2 unit: stride 1 splits the channels in halves and runs `branch2` on the right one; stride 2 runs both branches on the input. Then a 2-group channel shuffle. */
export interface ShuffleStep {
  readonly kind: 'shuffle';
  readonly split: boolean;
  readonly branch1: readonly PreparedStep[];
  readonly branch2: readonly PreparedStep[];
}

/** Max pooling with explicit symmetric padding (PyTorch's `MaxPool2d(k, s, p)`). */
export interface MaxPoolStep {
  readonly kind: 'maxpool';
  readonly k: number;
  readonly s: number;
  readonly p: number;
}

/** Resizable networks' bilinear feature resize (half-pixel centres) by `scale`; only compiled when the scale is not 1. */
export interface ResizeStep {
  readonly kind: 'resize';
  readonly scale: number;
  /** The resize module's name (for messages). */
  readonly name: string;
}

export interface GlobalPoolStep {
  readonly kind: 'global-avg-pool';
}

/** Classifier: kernel [in, out] sliced to the configuration, bias (zeros when the layer has none). */
export interface DenseStep {
  readonly kind: 'dense';
  /** [1, in, out], the batched layout the fused matMul kernels take. */
  readonly kernel: tf.Tensor3D;
  readonly bias: tf.Tensor1D;
  readonly outUnits: number;
}

/** One operation of a prepared (sliced, BN-folded) network. */
export type PreparedStep = ConvStep | ResidualStep | ShuffleStep | MaxPoolStep | ResizeStep | GlobalPoolStep | DenseStep;

/** Every tensor a list of steps owns (prepared weights), depth first. */
export function stepTensors(steps: readonly PreparedStep[]): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  const visit = (list: readonly PreparedStep[]): void => {
    for (const s of list) {
      if (s.kind === 'conv') out.push(s.filter, s.bias);
      else if (s.kind === 'dense') out.push(s.kernel, s.bias);
      else if (s.kind === 'residual') {
        visit(s.body);
        if (s.shortcut) visit(s.shortcut);
      } else if (s.kind === 'shuffle') {
        visit(s.branch1);
        visit(s.branch2);
      }
    }
  };
  visit(steps);
  return out;
}
