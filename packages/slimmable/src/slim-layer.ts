import { type ForwardContext, Module, type Range, ShapeError } from '@adaptnet/core';
import { ChannelPlan, checkWidth, resolveWidthRange, type SlimCommonOptions, type SlimInputSide } from './channels.js';

/** Shared plumbing of the slim layers: width range, channel plans, input validation. */
export abstract class SlimLayer extends Module {
  readonly widthRange: Range;
  protected readonly divisor: number;

  constructor(name: string, options: SlimCommonOptions) {
    super(name);
    this.widthRange = resolveWidthRange(name, options.widthRange);
    this.divisor = options.divisor ?? 8;
  }

  protected plan(side: 'input' | 'output', full: number, options: SlimInputSide = {}): ChannelPlan {
    return new ChannelPlan(this.name, side, full, options, this.widthRange, this.divisor);
  }

  /** The context's width, checked against this layer's range. */
  protected width(ctx: ForwardContext): number {
    return checkWidth(this.name, ctx.config.width, this.widthRange);
  }

  protected checkRank(shape: readonly number[], rank: number, layout: string): void {
    if (shape.length !== rank)
      throw new ShapeError(`${this.name}: input must be rank ${rank} (${layout}), got shape [${shape.join(', ')}]`);
  }
}
