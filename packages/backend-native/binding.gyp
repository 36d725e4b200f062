{
  "targets": [
    {
      "target_name": "adaptnet_native",
      "sources": ["native/addon.cc", "native/elementwise.cc", "native/batchnorm.cc", "native/resize.cc", "native/pool.cc", "native/sgd.cc", "native/inference.cc", "native/copy.cc", "native/plan.cc", "native/swish.cc", "native/direct.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O3", "-fopenmp", "-ffp-contract=off", "-Wno-psabi"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
