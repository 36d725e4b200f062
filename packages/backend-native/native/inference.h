#pragma once
#include <napi.h>

// Registers convPrepare, matmulPrepare, fusedRun, release, dropWeights, inferenceCacheStats.
void RegisterInference(Napi::Env env, Napi::Object exports);
