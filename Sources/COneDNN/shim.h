// Thin shim over oneDNN 2.6 (INTEROP.md item 11). NeuralNet uses its row-major SGEMM only.
#ifndef CONEDNN_SHIM_H
#define CONEDNN_SHIM_H
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>
#endif
