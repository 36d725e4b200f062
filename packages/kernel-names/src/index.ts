/**
 * Names of AdaptNet's own tfjs kernels: core dispatches to them, @adaptnet/backend-native implements
 * them. One table both import, so the two can never disagree; it has no dependencies, so neither
 * package has to depend on the other.
 */
export const ADAPTNET_KERNELS = {
  /** inputs {x, gamma, beta}, attrs {epsilon} → [y, mean, variance] over every axis but the last. */
  batchNormTrain: 'AdaptNetBatchNormTrain',
  /** The analytic gradient of batchNormTrain. */
  batchNormGrad: 'AdaptNetBatchNormGrad',
  /** inputs {dy, x}, attrs {cap} → dy where 0 < x (≤ cap when cap > 0), else 0. */
  reluGrad: 'AdaptNetReluGrad',
  /** One PyTorch SGD step for one parameter, in place. */
  sgdStep: 'AdaptNetSgdStep',
  /** 3D convolution with explicit per-side padding (no padded copy), and its gradients. */
  conv3d: 'AdaptNetConv3D',
  conv3dBackpropInput: 'AdaptNetConv3DBackpropInput',
  conv3dBackpropFilter: 'AdaptNetConv3DBackpropFilter',
  /** Channel-wise 3D convolution (tfjs's conv3d has no groups), and its gradients. */
  depthwiseConv3d: 'AdaptNetDepthwiseConv3D',
  depthwiseConv3dBackpropInput: 'AdaptNetDepthwiseConv3DBackpropInput',
  depthwiseConv3dBackpropFilter: 'AdaptNetDepthwiseConv3DBackpropFilter',
  /**
   * Inference residual: inputs {x, filter, bias, add}, attrs as FusedConv2D (activation linear, relu
   * or relu6) → activation(conv2d(x, filter) + bias + add), `add` of the output's shape. One oneDNN
   * primitive on native; @adaptnet/export's prepared ResNet blocks use it where the backend has it.
   */
  fusedConv2DAdd: 'AdaptNetFusedConv2DAdd',
  /**
   * A whole prepared subnet as one kernel: inputs {x, w0, w1, ...} (the tensors the plan's ops
   * index as `weight` / `bias`), attrs {plan: AdaptNetPlan} → the last op's output. On native, one
   * oneDNN plan per (plan, input shape), built on first use and freed with the weights.
   */
  runPlan: 'AdaptNetRunPlan',
  /** Swish: inputs {x} → x·σ(x). */
  swish: 'AdaptNetSwish',
  /** Its gradient: inputs {dy, x} → dy·σ(x)·(1 + x·(1 − σ(x))). */
  swishGrad: 'AdaptNetSwishGrad',
} as const;

/**
 * One op of an AdaptNetRunPlan. Values are numbered: 0 is the input `x`, op i produces value i + 1;
 * the plan's output is the last op's value. `weight` / `bias` index the inputs `w0, w1, ...`.
 */
export type AdaptNetPlanOp =
  | {
      /** act(conv(src, w) + bias (+ value `add`)); weight [k, k, ci, co], or [k, k, ci, 1] when depthwise. */
      readonly op: 'conv';
      readonly src: number;
      readonly add?: number;
      readonly weight: number;
      readonly bias: number;
      readonly kernelSize: number;
      readonly strides: number;
      /** Symmetric zero padding on each side. */
      readonly padding: number;
      readonly depthwise: boolean;
      readonly activation: 'linear' | 'relu' | 'relu6';
    }
  | { readonly op: 'maxpool'; readonly src: number; readonly k: number; readonly s: number; readonly p: number }
  | { readonly op: 'global-avg-pool'; readonly src: number }
  /** src [N, in] · weight [1, in, out] + bias. */
  | { readonly op: 'dense'; readonly src: number; readonly weight: number; readonly bias: number };

export interface AdaptNetPlan {
  readonly ops: readonly AdaptNetPlanOp[];
}

export type AdaptNetKernelName = (typeof ADAPTNET_KERNELS)[keyof typeof ADAPTNET_KERNELS];
