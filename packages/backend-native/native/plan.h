#pragma once
#include <napi.h>

// Registers planCreate, planRun, planRelease, planStats, noop (see plan.cc).
void RegisterPlan(Napi::Env env, Napi::Object exports);
