// oneDNN 2.6, loaded when NeuralNet first needs it (INTEROP.md item 11; DESIGN-NOTES 32): a
// command that trains or evaluates nothing does not map libdnnl, GNU OpenMP and OpenCL. Each
// cdnnl_ function forwards to oneDNN's own; those returning a status return dnnl_runtime_error
// when the library cannot be loaded, and cdnnl_status2str then says why.
#ifndef CONEDNN_H
#define CONEDNN_H
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>

/// Loads libdnnl once (thread-safe). NULL when it is loaded, else why it could not be.
const char *cdnnl_load(void);

// Debian's oneDNN runs on GNU OpenMP. NeuralNet splits its GEMMs over its own threads and asks
// OpenMP for one thread per call: OpenMP workers spin after each parallel region, and spinning
// workers fight the loops NeuralNet runs between GEMMs (measured: a fifth of a training step).
// Resolved through libdnnl's own dependencies.
void cdnnl_omp_set_num_threads(int threads);

dnnl_status_t cdnnl_convolution_backward_data_desc_init(dnnl_convolution_desc_t *conv_desc, dnnl_alg_kind_t alg_kind, const dnnl_memory_desc_t *diff_src_desc, const dnnl_memory_desc_t *weights_desc, const dnnl_memory_desc_t *diff_dst_desc, const dnnl_dims_t strides, const dnnl_dims_t padding_l, const dnnl_dims_t padding_r);
dnnl_status_t cdnnl_convolution_backward_weights_desc_init(dnnl_convolution_desc_t *conv_desc, dnnl_alg_kind_t alg_kind, const dnnl_memory_desc_t *src_desc, const dnnl_memory_desc_t *diff_weights_desc, const dnnl_memory_desc_t *diff_bias_desc, const dnnl_memory_desc_t *diff_dst_desc, const dnnl_dims_t strides, const dnnl_dims_t padding_l, const dnnl_dims_t padding_r);
dnnl_status_t cdnnl_convolution_forward_desc_init(dnnl_convolution_desc_t *conv_desc, dnnl_prop_kind_t prop_kind, dnnl_alg_kind_t alg_kind, const dnnl_memory_desc_t *src_desc, const dnnl_memory_desc_t *weights_desc, const dnnl_memory_desc_t *bias_desc, const dnnl_memory_desc_t *dst_desc, const dnnl_dims_t strides, const dnnl_dims_t padding_l, const dnnl_dims_t padding_r);
dnnl_status_t cdnnl_deconvolution_backward_data_desc_init(dnnl_deconvolution_desc_t *deconv_desc, dnnl_alg_kind_t alg_kind, const dnnl_memory_desc_t *diff_src_desc, const dnnl_memory_desc_t *weights_desc, const dnnl_memory_desc_t *diff_dst_desc, const dnnl_dims_t strides, const dnnl_dims_t padding_l, const dnnl_dims_t padding_r);
dnnl_status_t cdnnl_deconvolution_backward_weights_desc_init(dnnl_deconvolution_desc_t *deconv_desc, dnnl_alg_kind_t alg_kind, const dnnl_memory_desc_t *src_desc, const dnnl_memory_desc_t *diff_weights_desc, const dnnl_memory_desc_t *diff_bias_desc, const dnnl_memory_desc_t *diff_dst_desc, const dnnl_dims_t strides, const dnnl_dims_t padding_l, const dnnl_dims_t padding_r);
dnnl_status_t cdnnl_deconvolution_forward_desc_init(dnnl_deconvolution_desc_t *deconv_desc, dnnl_prop_kind_t prop_kind, dnnl_alg_kind_t alg_kind, const dnnl_memory_desc_t *src_desc, const dnnl_memory_desc_t *weights_desc, const dnnl_memory_desc_t *bias_desc, const dnnl_memory_desc_t *dst_desc, const dnnl_dims_t strides, const dnnl_dims_t padding_l, const dnnl_dims_t padding_r);
dnnl_status_t cdnnl_engine_create(dnnl_engine_t *engine, dnnl_engine_kind_t kind, size_t index);
dnnl_status_t cdnnl_memory_create(dnnl_memory_t *memory, const dnnl_memory_desc_t *memory_desc, dnnl_engine_t engine, void *handle);
int cdnnl_memory_desc_equal(const dnnl_memory_desc_t *lhs, const dnnl_memory_desc_t *rhs);
size_t cdnnl_memory_desc_get_size(const dnnl_memory_desc_t *memory_desc);
dnnl_status_t cdnnl_memory_desc_init_by_tag(dnnl_memory_desc_t *memory_desc, int ndims, const dnnl_dims_t dims, dnnl_data_type_t data_type, dnnl_format_tag_t tag);
dnnl_status_t cdnnl_memory_destroy(dnnl_memory_t memory);
dnnl_status_t cdnnl_memory_set_data_handle(dnnl_memory_t memory, void *handle);
dnnl_status_t cdnnl_primitive_attr_create(dnnl_primitive_attr_t *attr);
dnnl_status_t cdnnl_primitive_attr_destroy(dnnl_primitive_attr_t attr);
dnnl_status_t cdnnl_primitive_attr_set_scratchpad_mode(dnnl_primitive_attr_t attr, dnnl_scratchpad_mode_t mode);
dnnl_status_t cdnnl_primitive_create(dnnl_primitive_t *primitive, const_dnnl_primitive_desc_t primitive_desc);
dnnl_status_t cdnnl_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, const_dnnl_op_desc_t op_desc, const_dnnl_primitive_attr_t attr, dnnl_engine_t engine, const_dnnl_primitive_desc_t hint_forward_primitive_desc);
dnnl_status_t cdnnl_primitive_desc_destroy(dnnl_primitive_desc_t primitive_desc);
const dnnl_memory_desc_t * cdnnl_primitive_desc_query_md(const_dnnl_primitive_desc_t primitive_desc, dnnl_query_t what, int index);
dnnl_status_t cdnnl_primitive_destroy(dnnl_primitive_t primitive);
dnnl_status_t cdnnl_primitive_execute(const_dnnl_primitive_t primitive, dnnl_stream_t stream, int nargs, const dnnl_exec_arg_t *args);
dnnl_status_t cdnnl_reorder_primitive_desc_create(dnnl_primitive_desc_t *reorder_primitive_desc, const dnnl_memory_desc_t *src_desc, dnnl_engine_t src_engine, const dnnl_memory_desc_t *dst_desc, dnnl_engine_t dst_engine, const_dnnl_primitive_attr_t attr);
dnnl_status_t cdnnl_sgemm(char transa, char transb, dnnl_dim_t M, dnnl_dim_t N, dnnl_dim_t K, float alpha, const float *A, dnnl_dim_t lda, const float *B, dnnl_dim_t ldb, float beta, float *C, dnnl_dim_t ldc);
const char * cdnnl_status2str(dnnl_status_t v);
dnnl_status_t cdnnl_stream_create(dnnl_stream_t *stream, dnnl_engine_t engine, unsigned flags);
dnnl_status_t cdnnl_stream_destroy(dnnl_stream_t stream);
dnnl_status_t cdnnl_stream_wait(dnnl_stream_t stream);
#endif
