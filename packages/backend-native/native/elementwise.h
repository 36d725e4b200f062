#pragma once
#include <napi.h>

Napi::Value Binary(const Napi::CallbackInfo& info);
Napi::Value Unary(const Napi::CallbackInfo& info);
Napi::Value Reduce(const Napi::CallbackInfo& info);
Napi::Value BatchNormTrain(const Napi::CallbackInfo& info);
Napi::Value BatchNormGrad(const Napi::CallbackInfo& info);
Napi::Value ResizeBilinear(const Napi::CallbackInfo& info);
Napi::Value ResizeBilinearGrad(const Napi::CallbackInfo& info);
Napi::Value ResizeNearest(const Napi::CallbackInfo& info);
Napi::Value ResizeNearestGrad(const Napi::CallbackInfo& info);
Napi::Value Pool(const Napi::CallbackInfo& info);
Napi::Value PoolGrad(const Napi::CallbackInfo& info);
Napi::Value SgdStep(const Napi::CallbackInfo& info);
Napi::Value CopyBlocks(const Napi::CallbackInfo& info);
Napi::Value Fill(const Napi::CallbackInfo& info);
Napi::Value SegmentSum(const Napi::CallbackInfo& info);
