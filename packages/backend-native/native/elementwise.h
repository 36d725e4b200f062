#pragma once
#include <napi.h>

Napi::Value Binary(const Napi::CallbackInfo& info);
Napi::Value Unary(const Napi::CallbackInfo& info);
Napi::Value Reduce(const Napi::CallbackInfo& info);
Napi::Value BatchNormTrain(const Napi::CallbackInfo& info);
Napi::Value BatchNormGrad(const Napi::CallbackInfo& info);
