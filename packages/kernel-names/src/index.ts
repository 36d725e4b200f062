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
  /** Swish: inputs {x} → x·σ(x). */
  swish: 'AdaptNetSwish',
  /** Its gradient: inputs {dy, x} → dy·σ(x)·(1 + x·(1 − σ(x))). */
  swishGrad: 'AdaptNetSwishGrad',
} as const;

export type AdaptNetKernelName = (typeof ADAPTNET_KERNELS)[keyof typeof ADAPTNET_KERNELS];
