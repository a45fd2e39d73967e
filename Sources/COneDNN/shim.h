// Thin shim over oneDNN 2.6 (INTEROP.md item 11). NeuralNet uses its row-major SGEMM only.
#ifndef CONEDNN_SHIM_H
#define CONEDNN_SHIM_H
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>

// Debian's oneDNN runs on GNU OpenMP. NeuralNet splits its GEMMs over its own threads and asks
// OpenMP for one thread per call: OpenMP workers spin after each parallel region, and spinning
// workers fight the loops NeuralNet runs between GEMMs (measured: a fifth of a training step).
// omp.h belongs to GCC's private include folder, so the one function is declared here.
extern void omp_set_num_threads(int);
#endif
