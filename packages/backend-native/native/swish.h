#pragma once
#include <napi.h>

// Registers swish (x·σ(x)) and swishGrad (dy·σ(x)·(1 + x·(1 − σ(x)))).
void RegisterSwish(Napi::Env env, Napi::Object exports);
