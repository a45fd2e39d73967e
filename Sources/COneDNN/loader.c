// The oneDNN functions NeuralNet calls, resolved from libdnnl.so.2 on first use, written from
// oneDNN 2.6's dnnl.h prototypes: a function NeuralNet starts to call needs its line in conednn.h,
// a slot and a symbol name below, and a forwarding definition.
#include "conednn.h"

#include <cload.h>
#include <pthread.h>

static struct {
    dnnl_status_t (*convolution_backward_data_desc_init)(dnnl_convolution_desc_t *, dnnl_alg_kind_t, const dnnl_memory_desc_t *, const dnnl_memory_desc_t *, const dnnl_memory_desc_t *, const dnnl_dims_t, const dnnl_dims_t, const dnnl_dims_t);
    dnnl_status_t (*convolution_backward_weights_desc_init)(dnnl_convolution_desc_t *, dnnl_alg_kind_t, const dnnl_memory_desc_t *, const dnnl_memory_desc_t *, const dnnl_memory_desc_t *, const dnnl_memory_desc_t *, const dnnl_dims_t, const dnnl_dims_t, const dnnl_dims_t);
    dnnl_status_t (*convolution_forward_desc_init)(dnnl_convolution_desc_t *, dnnl_prop_kind_t, dnnl_alg_kind_t, const dnnl_memory_desc_t *, const dnnl_memory_desc_t *, const dnnl_memory_desc_t *, const dnnl_memory_desc_t *, const dnnl_dims_t, const dnnl_dims_t, const dnnl_dims_t);
    dnnl_status_t (*deconvolution_backward_data_desc_init)(dnnl_deconvolution_desc_t *, dnnl_alg_kind_t, const dnnl_memory_desc_t *, const dnnl_memory_desc_t *, const dnnl_memory_desc_t *, const dnnl_dims_t, const dnnl_dims_t, const dnnl_dims_t);
    dnnl_status_t (*deconvolution_backward_weights_desc_init)(dnnl_deconvolution_desc_t *, dnnl_alg_kind_t, const dnnl_memory_desc_t *, const dnnl_memory_desc_t *, const dnnl_memory_desc_t *, const dnnl_memory_desc_t *, const dnnl_dims_t, const dnnl_dims_t, const dnnl_dims_t);
    dnnl_status_t (*deconvolution_forward_desc_init)(dnnl_deconvolution_desc_t *, dnnl_prop_kind_t, dnnl_alg_kind_t, const dnnl_memory_desc_t *, const dnnl_memory_desc_t *, const dnnl_memory_desc_t *, const dnnl_memory_desc_t *, const dnnl_dims_t, const dnnl_dims_t, const dnnl_dims_t);
    dnnl_status_t (*engine_create)(dnnl_engine_t *, dnnl_engine_kind_t, size_t);
    dnnl_status_t (*memory_create)(dnnl_memory_t *, const dnnl_memory_desc_t *, dnnl_engine_t, void *);
    int (*memory_desc_equal)(const dnnl_memory_desc_t *, const dnnl_memory_desc_t *);
    size_t (*memory_desc_get_size)(const dnnl_memory_desc_t *);
    dnnl_status_t (*memory_desc_init_by_tag)(dnnl_memory_desc_t *, int, const dnnl_dims_t, dnnl_data_type_t, dnnl_format_tag_t);
    dnnl_status_t (*memory_destroy)(dnnl_memory_t);
    dnnl_status_t (*memory_set_data_handle)(dnnl_memory_t, void *);
    dnnl_status_t (*primitive_attr_create)(dnnl_primitive_attr_t *);
    dnnl_status_t (*primitive_attr_destroy)(dnnl_primitive_attr_t);
    dnnl_status_t (*primitive_attr_set_scratchpad_mode)(dnnl_primitive_attr_t, dnnl_scratchpad_mode_t);
    dnnl_status_t (*primitive_create)(dnnl_primitive_t *, const_dnnl_primitive_desc_t);
    dnnl_status_t (*primitive_desc_create)(dnnl_primitive_desc_t *, const_dnnl_op_desc_t, const_dnnl_primitive_attr_t, dnnl_engine_t, const_dnnl_primitive_desc_t);
    dnnl_status_t (*primitive_desc_destroy)(dnnl_primitive_desc_t);
    const dnnl_memory_desc_t * (*primitive_desc_query_md)(const_dnnl_primitive_desc_t, dnnl_query_t, int);
    dnnl_status_t (*primitive_destroy)(dnnl_primitive_t);
    dnnl_status_t (*primitive_execute)(const_dnnl_primitive_t, dnnl_stream_t, int, const dnnl_exec_arg_t *);
    dnnl_status_t (*reorder_primitive_desc_create)(dnnl_primitive_desc_t *, const dnnl_memory_desc_t *, dnnl_engine_t, const dnnl_memory_desc_t *, dnnl_engine_t, const_dnnl_primitive_attr_t);
    dnnl_status_t (*sgemm)(char, char, dnnl_dim_t, dnnl_dim_t, dnnl_dim_t, float, const float *, dnnl_dim_t, const float *, dnnl_dim_t, float, float *, dnnl_dim_t);
    const char * (*status2str)(dnnl_status_t);
    dnnl_status_t (*stream_create)(dnnl_stream_t *, dnnl_engine_t, unsigned);
    dnnl_status_t (*stream_destroy)(dnnl_stream_t);
    dnnl_status_t (*stream_wait)(dnnl_stream_t);
    void (*omp_set_num_threads)(int);
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[512];

static void load(void) {
    const struct cload_symbol symbols[] = {
        {(void **)&api.convolution_backward_data_desc_init, "dnnl_convolution_backward_data_desc_init"},
        {(void **)&api.convolution_backward_weights_desc_init, "dnnl_convolution_backward_weights_desc_init"},
        {(void **)&api.convolution_forward_desc_init, "dnnl_convolution_forward_desc_init"},
        {(void **)&api.deconvolution_backward_data_desc_init, "dnnl_deconvolution_backward_data_desc_init"},
        {(void **)&api.deconvolution_backward_weights_desc_init, "dnnl_deconvolution_backward_weights_desc_init"},
        {(void **)&api.deconvolution_forward_desc_init, "dnnl_deconvolution_forward_desc_init"},
        {(void **)&api.engine_create, "dnnl_engine_create"},
        {(void **)&api.memory_create, "dnnl_memory_create"},
        {(void **)&api.memory_desc_equal, "dnnl_memory_desc_equal"},
        {(void **)&api.memory_desc_get_size, "dnnl_memory_desc_get_size"},
        {(void **)&api.memory_desc_init_by_tag, "dnnl_memory_desc_init_by_tag"},
        {(void **)&api.memory_destroy, "dnnl_memory_destroy"},
        {(void **)&api.memory_set_data_handle, "dnnl_memory_set_data_handle"},
        {(void **)&api.primitive_attr_create, "dnnl_primitive_attr_create"},
        {(void **)&api.primitive_attr_destroy, "dnnl_primitive_attr_destroy"},
        {(void **)&api.primitive_attr_set_scratchpad_mode, "dnnl_primitive_attr_set_scratchpad_mode"},
        {(void **)&api.primitive_create, "dnnl_primitive_create"},
        {(void **)&api.primitive_desc_create, "dnnl_primitive_desc_create"},
        {(void **)&api.primitive_desc_destroy, "dnnl_primitive_desc_destroy"},
        {(void **)&api.primitive_desc_query_md, "dnnl_primitive_desc_query_md"},
        {(void **)&api.primitive_destroy, "dnnl_primitive_destroy"},
        {(void **)&api.primitive_execute, "dnnl_primitive_execute"},
        {(void **)&api.reorder_primitive_desc_create, "dnnl_reorder_primitive_desc_create"},
        {(void **)&api.sgemm, "dnnl_sgemm"},
        {(void **)&api.status2str, "dnnl_status2str"},
        {(void **)&api.stream_create, "dnnl_stream_create"},
        {(void **)&api.stream_destroy, "dnnl_stream_destroy"},
        {(void **)&api.stream_wait, "dnnl_stream_wait"},
        {(void **)&api.omp_set_num_threads, "omp_set_num_threads"},
    };
    if (cload_open("libdnnl.so.2", "oneDNN", symbols, sizeof symbols / sizeof symbols[0], failure, sizeof failure) != 0) return;
}

const char *cdnnl_load(void) {
    pthread_once(&once, load);
    return failure[0] ? failure : NULL;
}

void cdnnl_omp_set_num_threads(int threads) {
    if (!cdnnl_load()) api.omp_set_num_threads(threads);
}

// Functions returning something other than a status are only reached through objects that
// functions returning a status made, so after a successful load.
dnnl_status_t cdnnl_convolution_backward_data_desc_init(dnnl_convolution_desc_t *conv_desc, dnnl_alg_kind_t alg_kind, const dnnl_memory_desc_t *diff_src_desc, const dnnl_memory_desc_t *weights_desc, const dnnl_memory_desc_t *diff_dst_desc, const dnnl_dims_t strides, const dnnl_dims_t padding_l, const dnnl_dims_t padding_r) {
    return cdnnl_load() ? dnnl_runtime_error : api.convolution_backward_data_desc_init(conv_desc, alg_kind, diff_src_desc, weights_desc, diff_dst_desc, strides, padding_l, padding_r);
}
dnnl_status_t cdnnl_convolution_backward_weights_desc_init(dnnl_convolution_desc_t *conv_desc, dnnl_alg_kind_t alg_kind, const dnnl_memory_desc_t *src_desc, const dnnl_memory_desc_t *diff_weights_desc, const dnnl_memory_desc_t *diff_bias_desc, const dnnl_memory_desc_t *diff_dst_desc, const dnnl_dims_t strides, const dnnl_dims_t padding_l, const dnnl_dims_t padding_r) {
    return cdnnl_load() ? dnnl_runtime_error : api.convolution_backward_weights_desc_init(conv_desc, alg_kind, src_desc, diff_weights_desc, diff_bias_desc, diff_dst_desc, strides, padding_l, padding_r);
}
dnnl_status_t cdnnl_convolution_forward_desc_init(dnnl_convolution_desc_t *conv_desc, dnnl_prop_kind_t prop_kind, dnnl_alg_kind_t alg_kind, const dnnl_memory_desc_t *src_desc, const dnnl_memory_desc_t *weights_desc, const dnnl_memory_desc_t *bias_desc, const dnnl_memory_desc_t *dst_desc, const dnnl_dims_t strides, const dnnl_dims_t padding_l, const dnnl_dims_t padding_r) {
    return cdnnl_load() ? dnnl_runtime_error : api.convolution_forward_desc_init(conv_desc, prop_kind, alg_kind, src_desc, weights_desc, bias_desc, dst_desc, strides, padding_l, padding_r);
}
dnnl_status_t cdnnl_deconvolution_backward_data_desc_init(dnnl_deconvolution_desc_t *deconv_desc, dnnl_alg_kind_t alg_kind, const dnnl_memory_desc_t *diff_src_desc, const dnnl_memory_desc_t *weights_desc, const dnnl_memory_desc_t *diff_dst_desc, const dnnl_dims_t strides, const dnnl_dims_t padding_l, const dnnl_dims_t padding_r) {
    return cdnnl_load() ? dnnl_runtime_error : api.deconvolution_backward_data_desc_init(deconv_desc, alg_kind, diff_src_desc, weights_desc, diff_dst_desc, strides, padding_l, padding_r);
}
dnnl_status_t cdnnl_deconvolution_backward_weights_desc_init(dnnl_deconvolution_desc_t *deconv_desc, dnnl_alg_kind_t alg_kind, const dnnl_memory_desc_t *src_desc, const dnnl_memory_desc_t *diff_weights_desc, const dnnl_memory_desc_t *diff_bias_desc, const dnnl_memory_desc_t *diff_dst_desc, const dnnl_dims_t strides, const dnnl_dims_t padding_l, const dnnl_dims_t padding_r) {
    return cdnnl_load() ? dnnl_runtime_error : api.deconvolution_backward_weights_desc_init(deconv_desc, alg_kind, src_desc, diff_weights_desc, diff_bias_desc, diff_dst_desc, strides, padding_l, padding_r);
}
dnnl_status_t cdnnl_deconvolution_forward_desc_init(dnnl_deconvolution_desc_t *deconv_desc, dnnl_prop_kind_t prop_kind, dnnl_alg_kind_t alg_kind, const dnnl_memory_desc_t *src_desc, const dnnl_memory_desc_t *weights_desc, const dnnl_memory_desc_t *bias_desc, const dnnl_memory_desc_t *dst_desc, const dnnl_dims_t strides, const dnnl_dims_t padding_l, const dnnl_dims_t padding_r) {
    return cdnnl_load() ? dnnl_runtime_error : api.deconvolution_forward_desc_init(deconv_desc, prop_kind, alg_kind, src_desc, weights_desc, bias_desc, dst_desc, strides, padding_l, padding_r);
}
dnnl_status_t cdnnl_engine_create(dnnl_engine_t *engine, dnnl_engine_kind_t kind, size_t index) {
    return cdnnl_load() ? dnnl_runtime_error : api.engine_create(engine, kind, index);
}
dnnl_status_t cdnnl_memory_create(dnnl_memory_t *memory, const dnnl_memory_desc_t *memory_desc, dnnl_engine_t engine, void *handle) {
    return cdnnl_load() ? dnnl_runtime_error : api.memory_create(memory, memory_desc, engine, handle);
}
int cdnnl_memory_desc_equal(const dnnl_memory_desc_t *lhs, const dnnl_memory_desc_t *rhs) {
    return api.memory_desc_equal(lhs, rhs);
}
size_t cdnnl_memory_desc_get_size(const dnnl_memory_desc_t *memory_desc) {
    return api.memory_desc_get_size(memory_desc);
}
dnnl_status_t cdnnl_memory_desc_init_by_tag(dnnl_memory_desc_t *memory_desc, int ndims, const dnnl_dims_t dims, dnnl_data_type_t data_type, dnnl_format_tag_t tag) {
    return cdnnl_load() ? dnnl_runtime_error : api.memory_desc_init_by_tag(memory_desc, ndims, dims, data_type, tag);
}
dnnl_status_t cdnnl_memory_destroy(dnnl_memory_t memory) {
    return cdnnl_load() ? dnnl_runtime_error : api.memory_destroy(memory);
}
dnnl_status_t cdnnl_memory_set_data_handle(dnnl_memory_t memory, void *handle) {
    return cdnnl_load() ? dnnl_runtime_error : api.memory_set_data_handle(memory, handle);
}
dnnl_status_t cdnnl_primitive_attr_create(dnnl_primitive_attr_t *attr) {
    return cdnnl_load() ? dnnl_runtime_error : api.primitive_attr_create(attr);
}
dnnl_status_t cdnnl_primitive_attr_destroy(dnnl_primitive_attr_t attr) {
    return cdnnl_load() ? dnnl_runtime_error : api.primitive_attr_destroy(attr);
}
dnnl_status_t cdnnl_primitive_attr_set_scratchpad_mode(dnnl_primitive_attr_t attr, dnnl_scratchpad_mode_t mode) {
    return cdnnl_load() ? dnnl_runtime_error : api.primitive_attr_set_scratchpad_mode(attr, mode);
}
dnnl_status_t cdnnl_primitive_create(dnnl_primitive_t *primitive, const_dnnl_primitive_desc_t primitive_desc) {
    return cdnnl_load() ? dnnl_runtime_error : api.primitive_create(primitive, primitive_desc);
}
dnnl_status_t cdnnl_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, const_dnnl_op_desc_t op_desc, const_dnnl_primitive_attr_t attr, dnnl_engine_t engine, const_dnnl_primitive_desc_t hint_forward_primitive_desc) {
    return cdnnl_load() ? dnnl_runtime_error : api.primitive_desc_create(primitive_desc, op_desc, attr, engine, hint_forward_primitive_desc);
}
dnnl_status_t cdnnl_primitive_desc_destroy(dnnl_primitive_desc_t primitive_desc) {
    return cdnnl_load() ? dnnl_runtime_error : api.primitive_desc_destroy(primitive_desc);
}
const dnnl_memory_desc_t * cdnnl_primitive_desc_query_md(const_dnnl_primitive_desc_t primitive_desc, dnnl_query_t what, int index) {
    return api.primitive_desc_query_md(primitive_desc, what, index);
}
dnnl_status_t cdnnl_primitive_destroy(dnnl_primitive_t primitive) {
    return cdnnl_load() ? dnnl_runtime_error : api.primitive_destroy(primitive);
}
dnnl_status_t cdnnl_primitive_execute(const_dnnl_primitive_t primitive, dnnl_stream_t stream, int nargs, const dnnl_exec_arg_t *args) {
    return cdnnl_load() ? dnnl_runtime_error : api.primitive_execute(primitive, stream, nargs, args);
}
dnnl_status_t cdnnl_reorder_primitive_desc_create(dnnl_primitive_desc_t *reorder_primitive_desc, const dnnl_memory_desc_t *src_desc, dnnl_engine_t src_engine, const dnnl_memory_desc_t *dst_desc, dnnl_engine_t dst_engine, const_dnnl_primitive_attr_t attr) {
    return cdnnl_load() ? dnnl_runtime_error : api.reorder_primitive_desc_create(reorder_primitive_desc, src_desc, src_engine, dst_desc, dst_engine, attr);
}
dnnl_status_t cdnnl_sgemm(char transa, char transb, dnnl_dim_t M, dnnl_dim_t N, dnnl_dim_t K, float alpha, const float *A, dnnl_dim_t lda, const float *B, dnnl_dim_t ldb, float beta, float *C, dnnl_dim_t ldc) {
    return cdnnl_load() ? dnnl_runtime_error : api.sgemm(transa, transb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
const char * cdnnl_status2str(dnnl_status_t v) {
    return cdnnl_load() ? failure : api.status2str(v);
}
dnnl_status_t cdnnl_stream_create(dnnl_stream_t *stream, dnnl_engine_t engine, unsigned flags) {
    return cdnnl_load() ? dnnl_runtime_error : api.stream_create(stream, engine, flags);
}
dnnl_status_t cdnnl_stream_destroy(dnnl_stream_t stream) {
    return cdnnl_load() ? dnnl_runtime_error : api.stream_destroy(stream);
}
dnnl_status_t cdnnl_stream_wait(dnnl_stream_t stream) {
    return cdnnl_load() ? dnnl_runtime_error : api.stream_wait(stream);
}
